import { describe, expect, it } from 'vitest';
import { periodOfDate } from '../../src/time/periods.js';

describe('periods', () => {
  it('reads the period of a date', () => {
    expect(periodOfDate('20261005')).toBe('11510');
    expect(periodOfDate('20261201')).toBe('11512');
    expect(periodOfDate('20260101')).toBe('11502');
    expect(periodOfDate('2026-01-01')).toBeNull();
  });
});
