/**
 * What is left of a period's numbers, and whether it lasts: per range used / skipped / remaining
 * and the next free number; per BAN and period the rate of use and when the stock runs out. Pure.
 */
import type { Allocation } from './Allocation.js';
import { countNumbers, unusedRanges, type NumberRange } from './numberRanges.js';

const DAY_MS = 86_400_000;

export interface RangeStock<A extends Allocation = Allocation> {
  allocation: A;
  used: number;
  /** Numbers before the next free one that were never issued (they will be reported blank). */
  skipped: number;
  /** Numbers from the next free one to the end. */
  remaining: number;
  /** The next number to issue (after the highest used); null when the range is used up. */
  nextFree: number | null;
}

/**
 * `used`: the numbers issued in the range (any order, duplicates allowed); `excluded`: parts of it
 * that are not the holder's (allotted to branches), whose numbers count neither as used nor as left.
 */
export function rangeStock<A extends Allocation>(
  allocation: A,
  used: Iterable<number>,
  excluded: readonly NumberRange[] = [],
): RangeStock<A> {
  const outside = (n: number): boolean => excluded.some((r) => n >= r.begin && n <= r.end);
  const seen = new Set<number>();
  let highest = allocation.begin - 1;
  for (const n of used) {
    if (n < allocation.begin || n > allocation.end || outside(n)) continue;
    seen.add(n);
    if (n > highest) highest = n;
  }
  const own = (from: number, to: number): number => (from > to ? 0 : countNumbers(unusedRanges({ begin: from, end: to }, [], excluded)));
  const remaining = own(highest + 1, allocation.end);
  let nextFree: number | null = null;
  if (remaining > 0) {
    nextFree = highest + 1;
    for (
      let r = excluded.find((x) => nextFree! >= x.begin && nextFree! <= x.end);
      r;
      r = excluded.find((x) => nextFree! >= x.begin && nextFree! <= x.end)
    ) {
      nextFree = r.end + 1;
    }
  }
  return { allocation, used: seen.size, skipped: own(allocation.begin, highest) - seen.size, remaining, nextFree };
}

export interface StockForecast {
  ban: string;
  period: string;
  invoiceType: string;
  total: number;
  used: number;
  remaining: number;
  /** Numbers used per day so far in the period; null before its first day. */
  perDay: number | null;
  /** When the remaining numbers run out at that rate (epoch ms); null when they last or nothing was used. */
  runsOutAt: number | null;
  /** The period's end (exclusive, epoch ms). */
  periodEnd: number;
  /** True when the stock will not last to the period's end at the current rate. */
  short: boolean;
}

/** The forecast for one BAN's ranges of one period and invoice type. */
export function forecastStock(
  stocks: readonly RangeStock[],
  period: { start: number; end: number },
  now: number,
): Omit<StockForecast, 'ban' | 'period' | 'invoiceType'> {
  const total = stocks.reduce((s, r) => s + r.used + r.skipped + r.remaining, 0);
  const used = stocks.reduce((s, r) => s + r.used, 0);
  const remaining = stocks.reduce((s, r) => s + r.remaining, 0);
  const elapsedDays = (Math.min(now, period.end) - period.start) / DAY_MS;
  // Less than a day of use says little: count it as a whole day.
  const perDay = elapsedDays <= 0 ? null : used / Math.max(1, elapsedDays);
  const runsOutAt = perDay && perDay > 0 ? now + (remaining / perDay) * DAY_MS : null;
  const short = now < period.end && runsOutAt !== null && runsOutAt < period.end;
  return { total, used, remaining, perDay, runsOutAt, periodEnd: period.end, short };
}
