import { describe, expect, it } from 'vitest';
import { isValidBan } from '../../src/validation/rules/ban.js';

describe('BAN checksum', () => {
  it('accepts numbers whose weighted digit sum is divisible by 10', () => {
    expect(isValidBan('04595257')).toBe(true);
    expect(isValidBan('24634102')).toBe(true);
  });

  it('accepts, since 2023-04-01, a sum divisible by 5 that the old rule refused', () => {
    expect(isValidBan('22099136')).toBe(true);
    expect(isValidBan('22099136', 'before-2023')).toBe(false);
  });

  it('accepts sum + 1 when the 7th digit is 7', () => {
    // 10000073: sum 14, refused without the 7th-digit rule; 14 + 1 = 15 is divisible by 5.
    expect(isValidBan('10000073')).toBe(true);
    expect(isValidBan('10000073', 'before-2023')).toBe(false);
    // 10458574: sum 29, 29 + 1 = 30 passes even the old rule.
    expect(isValidBan('10458574', 'before-2023')).toBe(true);
  });

  it('does not apply the sum + 1 allowance when the 7th digit is not 7', () => {
    expect(isValidBan('27666666')).toBe(false);
    expect(isValidBan('10000064')).toBe(false);
  });

  it('refuses anything but exactly eight digits', () => {
    for (const bad of ['', '1234567', '123456789', '1234567a', ' 4595257', '0000000000']) {
      expect(isValidBan(bad)).toBe(false);
    }
  });
});
