/**
 * Exact decimal arithmetic for amounts: MIG decimals have at most 7 fraction digits, so values are
 * held as bigint counts of 10^-7. Floating point would make `0.1 + 0.2` checks lie.
 */
const SCALE_DIGITS = 7;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

export type Fixed = bigint;

/** Parses an xsd:decimal lexical value; null when it is not one. */
export function parseDecimal(text: string | null | undefined): Fixed | null {
  if (text == null) return null;
  if (isPlainInteger(text)) return BigInt(text) * SCALE; // most amounts: no sign, no point, no blanks
  const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!match) return null;
  const [, sign, whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return null;
  if (fraction.length > SCALE_DIGITS && /[1-9]/.test(fraction.slice(SCALE_DIGITS))) return null;
  const value = BigInt(whole || '0') * SCALE + BigInt((fraction.slice(0, SCALE_DIGITS) || '').padEnd(SCALE_DIGITS, '0'));
  return sign === '-' ? -value : value;
}

/** 1 to 15 ASCII digits and nothing else. */
function isPlainInteger(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

export function fromInteger(n: number): Fixed {
  return BigInt(n) * SCALE;
}

/** Rounds half away from zero to a whole number (still scaled). */
export function roundToInteger(value: Fixed): Fixed {
  const half = SCALE / 2n;
  const magnitude = value < 0n ? -value : value;
  const rounded = ((magnitude + half) / SCALE) * SCALE;
  return value < 0n ? -rounded : rounded;
}

export function multiply(a: Fixed, b: Fixed): Fixed {
  return (a * b) / SCALE;
}

export function abs(value: Fixed): Fixed {
  return value < 0n ? -value : value;
}

export function formatDecimal(value: Fixed): string {
  const sign = value < 0n ? '-' : '';
  const magnitude = value < 0n ? -value : value;
  const whole = magnitude / SCALE;
  const fraction = (magnitude % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

export const ONE: Fixed = SCALE;
export const ZERO: Fixed = 0n;
