/**
 * Reading allocations from what merchants get: the platform's E0501 (InvoiceAssignNo, alone or
 * inside an InvoiceEnvelope) and the allocation list the platform's web site and ERPs export (CSV or
 * tab-separated text with a header row). Pure: the caller reads the bytes and checks the XML.
 */
import type { MessageFields } from '../validation/types.js';
import type { Element } from '../validation/xml/tree.js';
import { textAt } from '../validation/xml/tree.js';
import { allocationProblem, normalizePeriod, NUMBERS_PER_BOOKLET, TrackError, type Allocation } from './Allocation.js';

/** Every InvoiceAssignNo of an E0501 document (a bare message or an envelope of them), checked. */
export function allocationsOfE0501(root: Element): Allocation[] {
  const found: Element[] = [];
  const walk = (e: Element): void => {
    if (e.name === 'InvoiceAssignNo') found.push(e);
    else for (const c of e.children) walk(c);
  };
  walk(root);
  if (found.length === 0) throw new TrackError('allocation-unreadable', 'the document holds no InvoiceAssignNo (E0501) message');
  return found.map((e, i) => {
    const text = (path: string): string => (textAt(e, path) ?? '').trim();
    const allocation: Allocation = {
      ban: text('Ban'),
      headBan: null,
      period: text('YearMonth'),
      invoiceType: text('InvoiceType'),
      track: text('InvoiceTrack'),
      begin: digits(text('InvoiceBeginNo')),
      end: digits(text('InvoiceEndNo')),
      booklets: digits(text('InvoiceBooklet')),
    };
    const problem = allocationProblem(allocation);
    if (problem) throw new TrackError('allocation-invalid', `InvoiceAssignNo ${i + 1} (line ${e.line}): ${problem}`);
    return allocation;
  });
}

/**
 * The allotments of an E0401 (a head office's numbers given to a branch), from its fields: the
 * branch is BranchBan, the head office HeadBan, the track the first two letters of its number.
 */
export function allotmentsOfE0401(
  fields: Pick<MessageFields, 'sellerId' | 'buyerId' | 'date' | 'number' | 'invoiceType' | 'ranges'>,
): Allocation[] {
  return fields.ranges.map((r) => {
    const begin = digits(r.begin);
    const end = digits(r.end);
    return {
      ban: fields.buyerId ?? '',
      headBan: fields.sellerId ?? '',
      period: fields.date ?? '',
      invoiceType: fields.invoiceType ?? '',
      track: (fields.number ?? '').slice(0, 2),
      begin,
      end,
      booklets: (end - begin + 1) / NUMBERS_PER_BOOKLET,
    };
  });
}

/** Column names accepted in an allocation list's header, for each field (compared without spaces). */
const COLUMNS: Record<keyof Omit<Allocation, 'headBan' | 'booklets'> | 'booklets' | 'count', readonly string[]> = {
  ban: ['統一編號', '營業人統編', '統編', 'ban', '總機構/分支機構統一編號'],
  period: ['期別', '發票期別', '字軌期別', 'yearmonth', 'period'],
  invoiceType: ['發票類別', '類別', 'invoicetype', 'type'],
  track: ['字軌', '發票字軌', 'invoicetrack', 'track'],
  begin: ['發票號碼起', '起號', '發票起號', '起始號碼', '起始編號', 'invoicebeginno', 'begin'],
  end: ['發票號碼迄', '迄號', '發票迄號', '終止號碼', '終止編號', 'invoiceendno', 'end'],
  booklets: ['本數', '本組數', '已配本數', 'invoicebooklet', 'booklets'],
  count: ['張數', '號碼數', 'count'],
};

/**
 * How an invoice type is written in lists: the code, or the platform's words. ERPs also call the
 * kind of machine (收銀機, 手開) 發票類別: such a word says nothing of the tax type, and `fallback`
 * stands; a code other than 07 or 08 is an error.
 */
function invoiceTypeOf(text: string, fallback: string): string | null {
  const t = text.trim();
  if (t === '07' || t === '7' || t.includes('一般稅額')) return '07';
  if (t === '08' || t === '8' || t.includes('特種稅額')) return '08';
  return /\d/.test(t) ? null : fallback;
}

/**
 * Reads an allocation list: UTF-8 (a BOM is fine), comma- or tab-separated, one header row naming
 * the columns (period, track, begin and end numbers are required; BAN, invoice type, booklets and
 * count are optional), then one range per row. `defaults` fill the BAN and invoice type when the
 * list has no such column. Every row is checked; the first bad one is refused with its line.
 */
export function allocationsOfList(text: string, defaults: { ban: string | null; invoiceType?: string }): Allocation[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new TrackError('allocation-unreadable', 'the list is empty');
  const separator = lines[headerAt]!.includes('\t') ? '\t' : ',';
  const header = splitRow(lines[headerAt]!, separator).map((h) => h.replace(/\s+/g, '').toLowerCase());
  const column = (field: keyof typeof COLUMNS): number => header.findIndex((h) => COLUMNS[field].includes(h));
  const at = {
    ban: column('ban'),
    period: column('period'),
    invoiceType: column('invoiceType'),
    track: column('track'),
    begin: column('begin'),
    end: column('end'),
    booklets: column('booklets'),
    count: column('count'),
  };
  const missing = (['period', 'track', 'begin', 'end'] as const).filter((f) => at[f] < 0);
  if (missing.length > 0) {
    throw new TrackError(
      'allocation-unreadable',
      `line ${headerAt + 1} is not a header naming the columns ${missing.join(', ')}`,
      `The first line must name the columns, e.g. "期別,發票類別,字軌,發票號碼起,發票號碼迄,本數" (comma or tab separated); found: ` +
        `${lines[headerAt]!.slice(0, 120)}`,
    );
  }
  if (at.ban < 0 && !defaults.ban) {
    throw new TrackError('allocation-unreadable', 'the list has no BAN column and no BAN was given', 'Give it with --ban <BAN>.');
  }
  const out: Allocation[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const cells = splitRow(lines[i]!, separator);
    const cell = (index: number): string => (index >= 0 ? (cells[index] ?? '').trim() : '');
    const where = `line ${i + 1}`;
    const period = normalizePeriod(cell(at.period));
    if (!period)
      throw new TrackError('allocation-invalid', `${where}: the period "${cell(at.period)}" is not one (e.g. 11510 or 115/09~10)`);
    const invoiceType =
      at.invoiceType >= 0 ? invoiceTypeOf(cell(at.invoiceType), defaults.invoiceType ?? '07') : (defaults.invoiceType ?? '07');
    if (!invoiceType)
      throw new TrackError('allocation-invalid', `${where}: the invoice type "${cell(at.invoiceType)}" is neither 07 nor 08`);
    const begin = digits(cell(at.begin).replace(/^[A-Z]{2}/, ''));
    const end = digits(cell(at.end).replace(/^[A-Z]{2}/, ''));
    const size = end - begin + 1;
    const booklets = at.booklets >= 0 && cell(at.booklets) !== '' ? digits(cell(at.booklets)) : size / NUMBERS_PER_BOOKLET;
    if (at.count >= 0 && cell(at.count) !== '' && digits(cell(at.count)) !== size) {
      throw new TrackError('allocation-invalid', `${where}: the count ${cell(at.count)} is not the ${size} numbers of the range`);
    }
    const allocation: Allocation = {
      ban: at.ban >= 0 ? cell(at.ban) : defaults.ban!,
      headBan: null,
      period,
      invoiceType,
      track: cell(at.track).toUpperCase(),
      begin,
      end,
      booklets,
    };
    const problem = allocationProblem(allocation);
    if (problem) throw new TrackError('allocation-invalid', `${where}: ${problem}`);
    out.push(allocation);
  }
  if (out.length === 0) throw new TrackError('allocation-unreadable', 'the list has a header but no range');
  return out;
}

function splitRow(line: string, separator: string): string[] {
  if (separator === '\t') return line.split('\t');
  // CSV (RFC 4180): quoted cells may hold commas and doubled quotes.
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

function digits(text: string): number {
  return /^\d{1,10}$/.test(text) ? Number(text) : NaN;
}
