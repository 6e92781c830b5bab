/**
 * Invoice-number tracks (字軌): the ranges of numbers a merchant may issue in a period. Numbers are
 * two letters (the track, which changes every period) and eight digits; ranges come in booklets
 * (本) of 50. Pure types and arithmetic.
 */

export const NUMBERS_PER_BOOKLET = 50;

import type { Allocation } from '../store/TrackAllocations.js';

export type { Allocation, AllocationSource } from '../store/TrackAllocations.js';

export class TrackError extends Error {
  constructor(
    readonly code: 'allocation-invalid' | 'allocation-unreadable' | 'allocation-conflict',
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'TrackError';
  }
}

/** `AB` + 8 digits. */
export function formatNumber(track: string, n: number): string {
  return `${track}${String(n).padStart(8, '0')}`;
}

/** A range as people read it: `AB12345600–AB12345649`. */
export function formatRange(track: string, begin: number, end: number): string {
  return `${formatNumber(track, begin)}–${formatNumber(track, end)}`;
}

/** The count of numbers in a range. */
export function rangeSize(a: { begin: number; end: number }): number {
  return a.end - a.begin + 1;
}

export function overlaps(a: { begin: number; end: number }, b: { begin: number; end: number }): boolean {
  return a.begin <= b.end && b.begin <= a.end;
}

const PERIOD = /^\d{3}(02|04|06|08|10|12)$/;

/**
 * Checks one allocation's fields (what E0501.xsd says, and what it does not: begin ≤ end, whole
 * booklets). Returns what is wrong, or null.
 */
export function allocationProblem(a: Allocation): string | null {
  if (!/^\d{8}$/.test(a.ban)) return `the BAN "${a.ban}" is not 8 digits`;
  if (a.headBan !== null && !/^\d{8}$/.test(a.headBan)) return `the head office BAN "${a.headBan}" is not 8 digits`;
  if (!PERIOD.test(a.period)) return `the period "${a.period}" is not a ROC year and an even month (e.g. 11510)`;
  if (a.invoiceType !== '07' && a.invoiceType !== '08') return `the invoice type "${a.invoiceType}" is neither 07 nor 08`;
  if (!/^[A-Z]{2}$/.test(a.track)) return `the track "${a.track}" is not two capital letters`;
  for (const n of [a.begin, a.end]) {
    if (!Number.isInteger(n) || n < 0 || n > 99_999_999) return 'its first or last number is missing or not 8 digits';
  }
  if (!Number.isInteger(a.booklets)) return 'its number of booklets is missing or not a number';
  if (a.begin > a.end) return `the range ${formatRange(a.track, a.begin, a.end)} begins after it ends`;
  if (a.begin % NUMBERS_PER_BOOKLET !== 0 || (a.end + 1) % NUMBERS_PER_BOOKLET !== 0) {
    return `the range ${formatRange(a.track, a.begin, a.end)} is not whole booklets of ${NUMBERS_PER_BOOKLET}`;
  }
  if (a.booklets !== rangeSize(a) / NUMBERS_PER_BOOKLET) {
    return `the range ${formatRange(a.track, a.begin, a.end)} is ${rangeSize(a) / NUMBERS_PER_BOOKLET} booklets, not ${a.booklets}`;
  }
  return null;
}

/**
 * A period as merchants and the platform write it, as the ROC year and the even month: `11510`,
 * `10807` (the first, odd month, as some ERPs write it), `108/07~08`, `105/11~105/12`,
 * `2024年01-02期`. Null when it is none of these.
 */
export function normalizePeriod(text: string): string | null {
  const t = text.trim();
  const gregorian = /^(\d{4})\s*年\s*(\d{1,2})\s*[-~至]\s*(\d{1,2})\s*月?\s*期?$/.exec(t);
  const roc = /^(\d{2,3})\s*\/?\s*(\d{1,2})(?:\s*[-~至]\s*(?:\d{2,3}\s*\/\s*)?(\d{1,2}))?$/.exec(t);
  const year = gregorian ? Number(gregorian[1]) - 1911 : roc ? Number(roc[1]) : NaN;
  const first = Number((gregorian ?? roc)?.[2]);
  const last = (gregorian ?? roc)?.[3];
  if (!Number.isInteger(year) || year < 1 || !(first >= 1 && first <= 12)) return null;
  const even = first % 2 === 0 ? first : first + 1;
  // "01-02" names one period; "01-04" would be two.
  if (last !== undefined && Number(last) !== even && !(first % 2 === 0 && Number(last) === first)) return null;
  return `${String(year).padStart(3, '0')}${String(even).padStart(2, '0')}`;
}
