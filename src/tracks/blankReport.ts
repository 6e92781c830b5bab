/**
 * E0402 (空白未使用字軌): after a period ends, the allocated numbers never used, as contiguous
 * ranges, one message per head office / branch, invoice type and track, at most 10,000 ranges each.
 * Pure: what was allocated and what was used come in; messages (XML text) go out.
 */
import { create } from 'xmlbuilder2';
import { formatNumber, type Allocation } from './Allocation.js';
import { chunk, countNumbers, unusedRanges, type NumberRange } from './numberRanges.js';

export const E0402_NAMESPACE = 'urn:GEINV:eInvoiceMessage:E0402:4.1';
/** BranchTrackBlankItem maxOccurs. */
export const MAX_RANGES_PER_MESSAGE = 10_000;

/** One E0402 message to send. */
export interface BlankMessage {
  period: string;
  headBan: string;
  branchBan: string;
  invoiceType: string;
  track: string;
  /** 1-based, when a group's ranges need more than one message. */
  part: number;
  ranges: NumberRange[];
  numbers: number;
  /** The file it is dropped as, e.g. `E0402_11510_53718426_53718426_07_AB.xml`. */
  fileName: string;
  /** Its INVOICE_IDENTIFIER at intake: `E0402` + track + its first number + the period. */
  messageKey: string;
  xml: string;
}

/**
 * The unused ranges of each allocation of `period`: an allocation of the platform's minus its
 * allotments to branches (those are the branches' to report) and minus the numbers used.
 * `usedIn(track, begin, end)` lists the numbers issued in a range (any order).
 */
export function planBlankReport(
  period: string,
  allocations: readonly Allocation[],
  usedIn: (track: string, begin: number, end: number) => Iterable<number>,
): BlankMessage[] {
  const groups = new Map<string, { headBan: string; branchBan: string; invoiceType: string; track: string; ranges: NumberRange[] }>();
  const allotments = new Map<string, Allocation[]>();
  for (const b of allocations) {
    if (b.period !== period || b.headBan === null || b.headBan === b.ban) continue;
    const key = `${b.headBan}/${b.track}`;
    allotments.set(key, [...(allotments.get(key) ?? []), b]);
  }
  for (const a of allocations) {
    if (a.period !== period) continue;
    const allottedAway = a.headBan === null ? (allotments.get(`${a.ban}/${a.track}`) ?? []) : [];
    const unused = unusedRanges(a, usedIn(a.track, a.begin, a.end), allottedAway);
    if (unused.length === 0) continue;
    const headBan = a.headBan ?? a.ban;
    const key = [headBan, a.ban, a.invoiceType, a.track].join('/');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { headBan, branchBan: a.ban, invoiceType: a.invoiceType, track: a.track, ranges: [] }));
    group.ranges.push(...unused);
  }
  const messages: BlankMessage[] = [];
  for (const group of [...groups.values()].sort(byGroup)) {
    const ranges = mergeAdjacent(group.ranges.sort((x, y) => x.begin - y.begin));
    const parts = chunk(ranges, MAX_RANGES_PER_MESSAGE);
    parts.forEach((partRanges, i) => {
      const part = i + 1;
      const base = `E0402_${period}_${group.headBan}_${group.branchBan}_${group.invoiceType}_${group.track}`;
      const message = { period, ...group, part, ranges: partRanges, numbers: countNumbers(partRanges) };
      messages.push({
        ...message,
        fileName: parts.length > 1 ? `${base}_${part}.xml` : `${base}.xml`,
        messageKey: `E0402${formatNumber(group.track, partRanges[0]!.begin)}${period}`,
        xml: e0402Xml(message),
      });
    });
  }
  return messages;
}

/** The E0402 message's XML (MIG 4.1: Main, then Details of BranchTrackBlankItem). */
export function e0402Xml(m: Pick<BlankMessage, 'period' | 'headBan' | 'branchBan' | 'invoiceType' | 'track' | 'ranges'>): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele(E0402_NAMESPACE, 'BranchTrackBlank');
  const main = doc.ele('Main');
  main.ele('HeadBan').txt(m.headBan);
  main.ele('BranchBan').txt(m.branchBan);
  main.ele('InvoiceType').txt(m.invoiceType);
  main.ele('YearMonth').txt(m.period);
  main.ele('InvoiceTrack').txt(m.track);
  const details = doc.ele('Details');
  for (const r of m.ranges) {
    const item = details.ele('BranchTrackBlankItem');
    item.ele('InvoiceBeginNo').txt(formatNumber('', r.begin));
    item.ele('InvoiceEndNo').txt(formatNumber('', r.end));
  }
  return doc.end({ prettyPrint: true }) + '\n';
}

/** Two allocations back to back (one ending at …49, the next beginning at …50) make one range. */
function mergeAdjacent(ranges: NumberRange[]): NumberRange[] {
  const out: NumberRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r.begin <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

function byGroup(a: { headBan: string; branchBan: string; invoiceType: string; track: string }, b: typeof a): number {
  return (
    a.headBan.localeCompare(b.headBan) ||
    a.branchBan.localeCompare(b.branchBan) ||
    a.invoiceType.localeCompare(b.invoiceType) ||
    a.track.localeCompare(b.track)
  );
}
