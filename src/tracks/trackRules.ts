/**
 * The rules that need allocations (`track-period`, `track-range`), for an F0401 at intake. They
 * speak only when the seller's allocations for the invoice's period are known. Pure.
 */
import { formatRange, overlaps, type Allocation } from './Allocation.js';

export type TrackRuleCode = 'track-period' | 'track-range' | 'allotment-overlap';

export interface TrackFinding {
  code: TrackRuleCode;
  /** The message's parameters (validation/messages: trackPeriod, trackRange, allotmentOverlap). */
  params: Record<string, string>;
}

/**
 * `ofPeriod`: the allocations of `period` in which `seller` is the holder (`ban`) or the head office
 * that allotted them (`headBan`). A number must be in a range held by the seller and not in one
 * the seller allotted to a branch.
 */
export function checkInvoiceNumber(
  number: string,
  seller: string,
  period: string,
  ofPeriod: readonly Allocation[],
  invoiceType: string | null = null,
): TrackFinding | null {
  // Allocations are per invoice type: an 08 invoice is judged by the seller's 08 allocations only.
  const ofType = invoiceType === null ? ofPeriod : ofPeriod.filter((a) => a.invoiceType === invoiceType);
  const own = ofType.filter((a) => a.ban === seller);
  if (own.length === 0) return null;
  const track = number.slice(0, 2);
  const digits = Number(number.slice(2));
  const tracks = [...new Set(own.map((a) => a.track))].sort();
  if (!tracks.includes(track)) return { code: 'track-period', params: { number, track, seller, period, tracks: tracks.join(', ') } };
  const n = { begin: digits, end: digits };
  const holder = own.find((a) => a.track === track && overlaps(a, n));
  const allottedTo = ofType.find((a) => a.headBan === seller && a.ban !== seller && a.track === track && overlaps(a, n));
  if (holder && !allottedTo) return null;
  const ranges = own
    .filter((a) => a.track === track)
    .map((a) => formatRange(a.track, a.begin, a.end))
    .join(', ');
  return {
    code: 'track-range',
    params: { number, seller, period, ranges, allotted: allottedTo?.ban ?? '' },
  };
}

/**
 * An E0401's allotments that overlap a recorded range other than the head office's own allocation
 * they are cut from (another allotment, to any branch, or another BAN's allocation): the same rule
 * the store records by. `existing` leaves out the version the E0401 corrects.
 */
export function checkAllotments(allotments: readonly Allocation[], existing: readonly Allocation[]): TrackFinding | null {
  for (const a of allotments) {
    const other = existing.find(
      (e) =>
        e.period === a.period &&
        e.track === a.track &&
        overlaps(e, a) &&
        !(e.headBan === null && e.ban === a.headBan) &&
        // The same allotment again is nothing new (the store keeps one).
        !(e.ban === a.ban && e.headBan === a.headBan && e.begin === a.begin && e.end === a.end),
    );
    if (other) {
      return { code: 'allotment-overlap', params: { range: formatRange(a.track, a.begin, a.end), other: other.ban, period: a.period } };
    }
  }
  return null;
}
