import { describe, expect, it } from 'vitest';
import { formatDecimal, multiply, parseDecimal, roundToInteger } from '../../src/validation/rules/decimal.js';

describe('exact decimals', () => {
  it('adds fractions without floating-point error', () => {
    expect(parseDecimal('0.1')! + parseDecimal('0.2')!).toBe(parseDecimal('0.3'));
  });

  it('rounds half away from zero, as tax is rounded', () => {
    expect(formatDecimal(roundToInteger(parseDecimal('2.5')!))).toBe('3');
    expect(formatDecimal(roundToInteger(parseDecimal('2.4999999')!))).toBe('2');
    expect(formatDecimal(roundToInteger(parseDecimal('-2.5')!))).toBe('-3');
  });

  it('computes 1314 × 0.05 = 65.7, which rounds to 66 (the integrator example)', () => {
    const tax = multiply(parseDecimal('1314')!, parseDecimal('0.05')!);
    expect(formatDecimal(tax)).toBe('65.7');
    expect(formatDecimal(roundToInteger(tax))).toBe('66');
  });

  it('reads the lexical forms xsd:decimal allows and refuses others', () => {
    expect(formatDecimal(parseDecimal('+007.50')!)).toBe('7.5');
    expect(formatDecimal(parseDecimal('.5')!)).toBe('0.5');
    expect(parseDecimal('1e3')).toBeNull();
    expect(parseDecimal('')).toBeNull();
    expect(parseDecimal('1,000')).toBeNull();
  });

  it('reads plain whole numbers (the quick path) exactly as the general form', () => {
    for (const text of ['0', '7', '007', '1050', '999999999999999', '9999999999999999', '12345678901234567890']) {
      expect(formatDecimal(parseDecimal(text)!)).toBe(formatDecimal(parseDecimal(` ${text}.0 `)!));
    }
    expect(formatDecimal(parseDecimal('9999999999999999')!)).toBe('9999999999999999');
  });
});
