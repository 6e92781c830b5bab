import { describe, expect, it } from 'vitest';
import { summaryResultXml } from '../../src/sim/results/summaryResultXml.js';
import { resultValidator } from './helpers/results.js';

describe('SummaryResult', () => {
  it('leaves out the Failed list, keeping the counts and the schema, when a refused message has no readable number', async () => {
    const xml = summaryResultXml({
      routing: {
        from: { partyId: '0000000000' },
        fromVac: { routingId: '0000000000' },
        to: { partyId: '24634102' },
        toVac: { routingId: '24634102' },
      },
      messageId: '4.1-F0401-20261005-181500123-3f6c2a9e-8b1d-4c7e-9a52-0d4e6b7f1c38',
      size: 100,
      messageType: 'F0401',
      serviceType: 'S',
      action: 'C0401',
      quantity: 2,
      packCode: null,
      packReason: null,
      decisions: [
        {
          seq: 1,
          messageType: 'F0401',
          number: 'AB00000001',
          date: '20261005',
          invoiceIdentifier: null,
          sellerId: null,
          contentSha256: 'a',
          decision: 'accepted',
          code: '0000',
          reason: null,
          findingCode: null,
        },
        {
          seq: 2,
          messageType: null,
          number: null,
          date: null,
          invoiceIdentifier: null,
          sellerId: null,
          contentSha256: 'b',
          decision: 'rejected',
          code: 'E9101',
          reason: 'not well-formed',
          findingCode: 'wellformed',
        },
      ],
    });
    const report = (await resultValidator()).validate(xml);
    expect(report.errors).toEqual([]);
    const text = xml.toString('utf8');
    expect(text).toMatch(/<Failed>\s*<Count>1<\/Count>\s*<\/Failed>/);
    expect(text).toMatch(/<Total>\s*<Count>2<\/Count>/);
  });
});
