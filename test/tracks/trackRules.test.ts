import { describe, expect, it } from 'vitest';
import { checkAllotments, checkInvoiceNumber } from '../../src/tracks/trackRules.js';
import { forecastStock, rangeStock } from '../../src/tracks/stock.js';
import { periodBounds } from '../../src/time/periods.js';
import { allocation, HEAD } from '../helpers/tracks.js';

const own = allocation();
const allotted = { ...own, ban: '53718426', headBan: HEAD, begin: 12345650, booklets: 1 };

describe('the rules that need allocations', () => {
  it('track-period: letters of another period, naming the right ones', () => {
    expect(checkInvoiceNumber('XY12345601', HEAD, '11510', [own])).toEqual({
      code: 'track-period',
      params: expect.objectContaining({ track: 'XY', tracks: 'AB', period: '11510' }),
    });
  });

  it("track-range: outside every range, or in a range the head office allotted to a branch; the branch's own is fine", () => {
    expect(checkInvoiceNumber('AB12345700', HEAD, '11510', [own])?.code).toBe('track-range');
    expect(checkInvoiceNumber('AB12345660', HEAD, '11510', [own, allotted])).toMatchObject({
      code: 'track-range',
      params: { allotted: '53718426' },
    });
    expect(checkInvoiceNumber('AB12345649', HEAD, '11510', [own, allotted])).toBeNull();
    expect(checkInvoiceNumber('AB12345660', '53718426', '11510', [allotted])).toBeNull();
  });

  it('stays silent when no allocation of the period is known', () => {
    expect(checkInvoiceNumber('XY00000001', HEAD, '11510', [])).toBeNull();
  });

  it('refuses an allotment overlapping another branch’s', () => {
    expect(checkAllotments([{ ...allotted, ban: '12345675' }], [own, allotted])?.code).toBe('allotment-overlap');
    expect(checkAllotments([allotted], [own, allotted])).toBeNull();
  });
});

describe('stock', () => {
  it('counts used, skipped and remaining numbers and the next free one', () => {
    expect(rangeStock(own, [12345600, 12345601, 12345605, 99])).toMatchObject({ used: 3, skipped: 3, remaining: 94, nextFree: 12345606 });
    expect(rangeStock(own, [])).toMatchObject({ used: 0, skipped: 0, remaining: 100, nextFree: 12345600 });
    expect(rangeStock(own, [12345699])).toMatchObject({ used: 1, remaining: 0, nextFree: null });
  });

  it('says the stock runs out before the period ends at the rate of use so far', () => {
    const bounds = periodBounds('11510')!;
    const tenDaysIn = bounds.start + 10 * 86_400_000;
    const fast = forecastStock(
      [
        rangeStock(
          own,
          Array.from({ length: 50 }, (_, i) => 12345600 + i),
        ),
      ],
      bounds,
      tenDaysIn,
    );
    expect(fast).toMatchObject({ total: 100, used: 50, remaining: 50, perDay: 5, short: true });
    expect(fast.runsOutAt).toBe(tenDaysIn + 10 * 86_400_000);
    const slow = forecastStock([rangeStock(own, [12345600])], bounds, tenDaysIn);
    expect(slow.short).toBe(false);
  });
});

describe('the review mends', () => {
  it('judges an invoice by the allocations of its own type only', () => {
    expect(checkInvoiceNumber('XY12345601', HEAD, '11510', [own], '08')).toBeNull();
    expect(checkInvoiceNumber('XY12345601', HEAD, '11510', [own], '07')?.code).toBe('track-period');
  });

  it("counts a head office's stock without the numbers it allotted to a branch", () => {
    const stock = rangeStock(own, [12345600, 12345601, 12345602, 12345603, 12345650, 12345651], [allotted]);
    expect(stock).toMatchObject({ used: 4, skipped: 0, remaining: 46, nextFree: 12345604 });
    const full = rangeStock(
      own,
      Array.from({ length: 50 }, (_, i) => 12345600 + i),
      [allotted],
    );
    expect(full).toMatchObject({ used: 50, remaining: 0, nextFree: null });
  });

  it('refuses an allotment overlapping another BAN’s allocation, and takes the same allotment again', () => {
    const elsewhere = allocation({ ban: '12345675', begin: 12345700, end: 12345799 });
    expect(checkAllotments([{ ...allotted, begin: 12345650, end: 12345749 }], [own, elsewhere])?.code).toBe('allotment-overlap');
    expect(checkAllotments([allotted], [own, allotted])).toBeNull();
  });
});
