/** Arithmetic on ranges of invoice numbers (the eight digits, as integers). Pure. */

export interface NumberRange {
  begin: number;
  end: number;
}

/**
 * The numbers of `range` that are in none of `used` (sorted or not, duplicates allowed) and outside
 * every range of `excluded`, as contiguous ranges in order.
 */
export function unusedRanges(range: NumberRange, used: Iterable<number>, excluded: readonly NumberRange[] = []): NumberRange[] {
  const taken: NumberRange[] = [];
  for (const n of used) if (n >= range.begin && n <= range.end) taken.push({ begin: n, end: n });
  for (const r of excluded) {
    const begin = Math.max(r.begin, range.begin);
    const end = Math.min(r.end, range.end);
    if (begin <= end) taken.push({ begin, end });
  }
  taken.sort((a, b) => a.begin - b.begin);
  const out: NumberRange[] = [];
  let next = range.begin;
  for (const t of taken) {
    if (t.begin > next) out.push({ begin: next, end: t.begin - 1 });
    next = Math.max(next, t.end + 1);
  }
  if (next <= range.end) out.push({ begin: next, end: range.end });
  return out;
}

/** `ranges` cut into consecutive groups of at most `size` (E0402 takes 10,000 ranges per message). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function countNumbers(ranges: readonly NumberRange[]): number {
  return ranges.reduce((sum, r) => sum + r.end - r.begin + 1, 0);
}
