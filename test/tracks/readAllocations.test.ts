import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizePeriod, TrackError } from '../../src/tracks/Allocation.js';
import { allocationsOfE0501, allocationsOfList } from '../../src/tracks/readAllocations.js';
import { readElements } from '../../src/validation/xml/elementReader.js';

const envelope = (messages: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><InvoiceEnvelope ` +
  `xmlns="urn:GEINV:eInvoiceEnvelope:1.0"><InvoicePack>${messages}</InvoicePack></InvoiceEnvelope>`;
const assign = (track: string, begin: string, end: string, booklets: number) =>
  `<InvoiceAssignNo ` +
  `xmlns="urn:GEINV:eInvoiceMessage:E0501:4.1"><Ban>24634102</Ban><InvoiceType>07</InvoiceType><YearMonth>11510</YearMonth>` +
  `<InvoiceTrack>${track}</InvoiceTrack><InvoiceBeginNo>${begin}</InvoiceBeginNo><InvoiceEndNo>${end}</InvoiceEndNo>` +
  `<InvoiceBooklet>${booklets}</InvoiceBooklet></InvoiceAssignNo>`;

describe('reading allocations', () => {
  it('reads every InvoiceAssignNo of an E0501 envelope, and a bare one', () => {
    const all = allocationsOfE0501(
      readElements(envelope(assign('AB', '12345600', '12345699', 2) + assign('CD', '00000000', '00000049', 1))),
    );
    expect(all).toEqual([
      { ban: '24634102', headBan: null, period: '11510', invoiceType: '07', track: 'AB', begin: 12345600, end: 12345699, booklets: 2 },
      { ban: '24634102', headBan: null, period: '11510', invoiceType: '07', track: 'CD', begin: 0, end: 49, booklets: 1 },
    ]);
    expect(allocationsOfE0501(readElements(assign('AB', '12345600', '12345649', 1)))).toHaveLength(1);
  });

  it('refuses an E0501 whose booklets do not match its range, naming the message', () => {
    expect(() => allocationsOfE0501(readElements(envelope(assign('AB', '12345600', '12345699', 3))))).toThrow(
      /InvoiceAssignNo 1 .*2 booklets, not 3/,
    );
    expect(() => allocationsOfE0501(readElements('<Other/>'))).toThrow(TrackError);
  });

  it('reads the TMS export of seed 003 (tab-separated, a period written with its first month, used numbers ignored)', () => {
    const seed = readFileSync(new URL('../../../shared/seeds/003_16f60c7354ee5ade.txt', import.meta.url), 'utf8');
    const table = seed.split('\n').filter((l) => l.startsWith('期別\t') || l.startsWith('10807\t'));
    const list = allocationsOfList(table.join('\n'), { ban: '24634102' });
    expect(list).toHaveLength(15);
    expect(list[0]).toEqual({
      ban: '24634102',
      headBan: null,
      period: '10808',
      invoiceType: '07',
      track: 'TF',
      begin: 98000000,
      end: 98000049,
      booklets: 1,
    });
  });

  it('reads a CSV with a BOM, quoted cells and the platform’s words for the type; each bad row is refused with its line', () => {
    const csv = '\uFEFF統一編號,發票期別,發票類別,字軌,起號,迄號,本數\r\n24634102,"115/09~10",一般稅額計算,ab,12345600,12345699,2\r\n';
    expect(allocationsOfList(csv, { ban: null })).toEqual([
      { ban: '24634102', headBan: null, period: '11510', invoiceType: '07', track: 'AB', begin: 12345600, end: 12345699, booklets: 2 },
    ]);
    expect(() => allocationsOfList(`${csv}24634102,11510,07,AB,12345700,12345720,1\n`, { ban: null })).toThrow(
      /line 3: .*not whole booklets/,
    );
    expect(() => allocationsOfList('a,b,c\n1,2,3\n', { ban: 'x' })).toThrow(
      /line 1 is not a header naming the columns period, track, begin, end/,
    );
    expect(() => allocationsOfList('期別,字軌,起號,迄號\n11510,AB,12345600,12345649\n', { ban: null })).toThrow(/no BAN column/);
  });

  it('reads periods as merchants write them', () => {
    expect(['11510', '10807', '108/07~08', '105/11~105/12', '2024年01-02期', '115/9'].map(normalizePeriod)).toEqual([
      '11510',
      '10808',
      '10808',
      '10512',
      '11302',
      '11510',
    ]);
    expect(['11513', '2024年01-04期', 'AB', ''].map(normalizePeriod)).toEqual([null, null, null, null]);
  });
});
