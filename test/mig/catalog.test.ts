import { describe, expect, it } from 'vitest';
import { identify, invoiceIdentifier, messageNamespace, outboundMessages } from '../../src/mig/catalog.js';

describe('message catalog', () => {
  it("files every outbound message under Turnkey's category", () => {
    const byType = Object.fromEntries(outboundMessages().map((m) => [m.type, m.category]));
    expect(byType).toEqual({
      F0401: 'B2SSTORAGE',
      F0501: 'B2SSTORAGE',
      F0701: 'B2SSTORAGE',
      G0401: 'B2SSTORAGE',
      G0501: 'B2SSTORAGE',
      E0401: 'B2PMESSAGE',
      E0402: 'B2PMESSAGE',
    });
  });

  it('recognises a 4.1 message by its root namespace and element', () => {
    const id = identify('urn:GEINV:eInvoiceMessage:F0401:4.1', 'Invoice');
    expect(id.kind).toBe('current');
    expect(id.kind === 'current' && id.spec.type).toBe('F0401');
  });

  it('does not take a known namespace with the wrong root element', () => {
    expect(identify('urn:GEINV:eInvoiceMessage:F0401:4.1', 'CancelInvoice').kind).toBe('unknown');
  });

  it('names a retired 3.2 message and what replaced it', () => {
    expect(identify('urn:GEINV:eInvoiceMessage:C0401:3.2', 'Invoice')).toMatchObject({
      kind: 'other-version',
      type: 'C0401',
      version: '3.2',
      replacedBy: 'F0401',
      family: 'invoice',
    });
  });

  it("reads the namespace even with the official files' stray spaces", () => {
    expect(identify(' urn:GEINV:eInvoiceMessage:F0501:4.1', 'CancelInvoice').kind).toBe('current');
  });

  it('knows the envelope and result namespaces', () => {
    expect(messageNamespace('InvoiceEnvelope')).toBe('urn:GEINV:InvoiceEnvelope:4.1');
    expect(messageNamespace('SummaryResult')).toBe('urn:GEINV:SummaryResult:4.1');
  });

  it("builds Turnkey's INVOICE_IDENTIFIER as <MIG><number><date>", () => {
    expect(invoiceIdentifier('F0401', 'LY42140650', '20210821')).toBe('F0401LY4214065020210821');
  });
});
