import { describe, expect, it } from 'vitest';
import { parseIsoTime, parseWhen } from '../../src/time/parseWhen.js';

const NOW = Date.parse('2026-12-06T04:00:00Z');

describe('parseWhen', () => {
  it('reads a time without an offset as Taiwan time, whatever the machine runs in', () => {
    expect(parseWhen('2026-12-18T18:00', NOW)).toBe(Date.parse('2026-12-18T10:00:00Z'));
    expect(parseWhen('2026-12-18 18:00:30', NOW)).toBe(Date.parse('2026-12-18T10:00:30Z'));
    expect(parseWhen('2026-12-19', NOW)).toBe(Date.parse('2026-12-18T16:00:00Z'));
  });

  it('takes the offset a time names', () => {
    expect(parseWhen('2026-12-18T18:00+08:00', NOW)).toBe(Date.parse('2026-12-18T10:00:00Z'));
    expect(parseWhen('2026-12-18T10:00Z', NOW)).toBe(Date.parse('2026-12-18T10:00:00Z'));
    expect(parseWhen('2026-12-18T05:00-05:00', NOW)).toBe(Date.parse('2026-12-18T10:00:00Z'));
  });

  it('reads now and +<n>s|m|h|d from now', () => {
    expect(parseWhen('now', NOW)).toBe(NOW);
    expect(parseWhen('+20s', NOW)).toBe(NOW + 20_000);
    expect(parseWhen('+90m', NOW)).toBe(NOW + 90 * 60_000);
    expect(parseWhen('+1.5h', NOW)).toBe(NOW + 5_400_000);
    expect(parseWhen('+2d', NOW)).toBe(NOW + 2 * 86_400_000);
  });

  it('refuses what is not a time, and days or hours that do not exist', () => {
    for (const text of ['tomorrow', '+5', '-1h', '2026-02-30T10:00', '2026-12-18T24:30', '18:00', '']) {
      expect(parseWhen(text, NOW), text).toBeNull();
    }
    expect(parseIsoTime('now')).toBeNull();
  });
});
