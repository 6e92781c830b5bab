import { describe, expect, it } from 'vitest';
import { isCalendarDate, isInFuture, taiwanInstant } from '../../src/validation/rules/dates.js';
import { taiwanDay as taiwanDate } from '../../src/time/taiwanTime.js';

describe('calendar dates', () => {
  it('knows leap years, including the century rules', () => {
    expect(isCalendarDate('20240229')).toBe(true);
    expect(isCalendarDate('20260229')).toBe(false);
    expect(isCalendarDate('20000229')).toBe(true);
    expect(isCalendarDate('21000229')).toBe(false);
  });

  it('refuses days past the month end and month 00/13 that the MIG pattern would let through', () => {
    expect(isCalendarDate('20260431')).toBe(false);
    expect(isCalendarDate('20260230')).toBe(false);
    expect(isCalendarDate('20260001')).toBe(false);
    expect(isCalendarDate('20261301')).toBe(false);
    expect(isCalendarDate('20261231')).toBe(true);
  });
});

describe('Taiwan time', () => {
  it('turns a Taiwan date and time into the right instant (UTC+8, no daylight saving)', () => {
    expect(new Date(taiwanInstant('20260101', '08:00:00')!).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('gives the Taiwan date, which is ahead of UTC from 16:00 UTC', () => {
    expect(taiwanDate(new Date('2026-11-22T15:59:59Z'))).toBe('20261122');
    expect(taiwanDate(new Date('2026-11-22T16:00:00Z'))).toBe('20261123');
  });
});

describe('future dates', () => {
  const now = new Date('2026-11-22T04:00:00Z'); // 12:00 in Taipei

  it('allows the clock skew and no more', () => {
    expect(isInFuture('20261122', '12:04:59', now, 300)).toBe(false);
    expect(isInFuture('20261122', '12:05:01', now, 300)).toBe(true);
  });

  it('compares dates without a time by the Taiwan calendar day', () => {
    expect(isInFuture('20261122', null, now, 300)).toBe(false);
    expect(isInFuture('20261123', null, now, 300)).toBe(true);
  });
});
