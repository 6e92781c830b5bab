import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { armor, ArmorError, checkSignedFileSize, MAX_SIGNED_FILE_BYTES, unarmor } from '../../src/protocol/armor.js';

function expectArmorError(run: () => unknown, code: ArmorError['code']): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ArmorError);
    expect((error as ArmorError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('armor', () => {
  it('writes 64-character lines, each ending with LF, the last included', () => {
    const bytes = randomBytes(200); // 268 Base64 characters: four full lines and one of 12
    const text = armor(bytes).toString('ascii');
    const lines = text.split('\n');
    expect(lines.map((l) => l.length)).toEqual([64, 64, 64, 64, 12, 0]);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    expect(text).not.toMatch(/\r|-----/);
    expect(lines.join('')).toBe(bytes.toString('base64'));
  });

  it('ends an exact multiple of 64 characters with one LF and no empty line', () => {
    const text = armor(randomBytes(96)).toString('ascii'); // 128 characters
    expect(text.split('\n').map((l) => l.length)).toEqual([64, 64, 0]);
  });

  it('round-trips bytes of every length around line boundaries', () => {
    for (const length of [1, 2, 3, 47, 48, 49, 95, 96, 97, 1000]) {
      const bytes = randomBytes(length);
      expect(unarmor(armor(bytes)).equals(bytes), `length ${length}`).toBe(true);
    }
  });

  it("encodes exactly as node's Base64 does, for every remainder, every byte value and a pack's size", () => {
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    for (const bytes of [everyByte, ...[1, 2, 3, 47, 48, 49, 50, 1000, 1001, 1002].map((n) => randomBytes(n)), randomBytes(3_000_001)]) {
      const armored = armor(bytes);
      expect(armored.at(-1)).toBe(0x0a);
      const lines = armored.toString('latin1').slice(0, -1).split('\n');
      expect(lines.join('')).toBe(bytes.toString('base64'));
      expect(lines.slice(0, -1).every((line) => line.length === 64)).toBe(true);
    }
  });

  it('refuses to armor nothing', () => {
    expectArmorError(() => armor(Buffer.alloc(0)), 'armor-empty');
  });
});

describe('unarmor', () => {
  // Fixed bytes, not random ones: the cases below replace characters that must be present.
  const good = armor(Buffer.from(Array.from({ length: 100 }, (_, i) => i))).toString('ascii');

  it('refuses CR, markers, bad characters and a broken layout, each with its code', () => {
    expectArmorError(() => unarmor(''), 'armor-empty');
    expectArmorError(() => unarmor(good.replace(/\n/g, '\r\n')), 'armor-cr');
    expectArmorError(() => unarmor(`-----BEGIN PKCS7-----\n${good}-----END PKCS7-----\n`), 'armor-marker');
    expect(good).toContain('A');
    expectArmorError(() => unarmor(good.replace('A', '*')), 'armor-char');
    expectArmorError(() => unarmor(Buffer.from(good.replace('A', '\u00e9'), 'latin1')), 'armor-char');
    expectArmorError(() => unarmor(good.slice(0, -1)), 'armor-layout'); // no final LF
    expectArmorError(() => unarmor(`${good}\n`), 'armor-layout'); // an empty final line
    expectArmorError(() => unarmor(good.replace('\n', '')), 'armor-layout'); // a 128-character line
    expectArmorError(() => unarmor(`${good.slice(0, 10)}\n${good.slice(10)}`), 'armor-layout'); // a short line in the middle
  });

  it('refuses misplaced padding and non-canonical Base64', () => {
    expectArmorError(() => unarmor('QQ==QQ==\n'), 'armor-char');
    expectArmorError(() => unarmor('QQ=\n'), 'armor-char');
    expectArmorError(() => unarmor('QR==\n'), 'armor-char'); // "QQ==" with non-zero padding bits
    expect(unarmor('QQ==\n').toString()).toBe('A');
  });
});

describe('checkSignedFileSize', () => {
  it('allows exactly 20 MiB and refuses one byte more', () => {
    expect(MAX_SIGNED_FILE_BYTES).toBe(20_971_520);
    expect(() => checkSignedFileSize(new Uint8Array(MAX_SIGNED_FILE_BYTES))).not.toThrow();
    expectArmorError(() => checkSignedFileSize(new Uint8Array(MAX_SIGNED_FILE_BYTES + 1)), 'armor-too-large');
  });
});

/** The format read the plain way, line by line: the fast reader must refuse exactly what it refuses, with the same words. */
function unarmorPlainly(text: string): Buffer {
  if (text.length === 0) throw new ArmorError('armor-empty', 'the signed file is empty');
  if (text.includes('\r')) throw new ArmorError('armor-cr', 'the signed file has carriage returns (CR); it must use LF only');
  if (text.includes('-----')) throw new ArmorError('armor-marker', 'the signed file has "-----" markers; it must be bare Base64');
  if (!text.endsWith('\n')) throw new ArmorError('armor-layout', 'the signed file does not end with LF');
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const bad = /[^A-Za-z0-9+/=]/.exec(line);
    if (bad) throw new ArmorError('armor-char', `line ${index + 1} has a character outside Base64 (code ${bad[0].charCodeAt(0)})`);
    if (line.length === 0) throw new ArmorError('armor-layout', `line ${index + 1} is empty`);
    if (index === lines.length - 1 ? line.length > 64 : line.length !== 64) {
      throw new ArmorError('armor-layout', `line ${index + 1} has ${line.length} characters; lines have 64, the last 1 to 64`);
    }
  });
  const base64 = lines.join('');
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
    throw new ArmorError('armor-char', 'the Base64 is truncated or has padding ("=") in the wrong place');
  }
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.toString('base64') !== base64) throw new ArmorError('armor-char', 'the Base64 is not in canonical form');
  return bytes;
}

describe('unarmor against the plain reading', () => {
  const outcome = (read: () => Buffer): string => {
    try {
      return `ok ${read().toString('hex')}`;
    } catch (error) {
      return `${(error as ArmorError).code}: ${(error as Error).message}`;
    }
  };

  it('takes and refuses the same files, with the same code and message, over thousands of damaged ones', () => {
    // A seeded generator: a failure names a case that can be run again.
    let seed = 20261207;
    const random = (n: number): number => {
      // 32-bit arithmetic (a product past 2^53 would lose its low bits), and the high bits, which are the random ones.
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const damage = ['*', '=', '==', '\n', '\n\n', '-', '\u00e9', '\u4e00', 'A', 'Q', ''];
    let refused = 0;
    for (let trial = 0; trial < 4000; trial++) {
      let text = armor(randomBytes(1 + random(300))).toString('latin1');
      for (let edits = 1 + random(2); edits > 0; edits--) {
        const at = random(text.length + 1);
        const cut = random(3);
        text = text.slice(0, at) + damage[random(damage.length)]! + text.slice(at + cut);
      }
      const expected = outcome(() => unarmorPlainly(text));
      if (!expected.startsWith('ok')) refused++;
      expect(
        outcome(() => unarmor(text)),
        `case ${trial}: ${JSON.stringify(text)}`,
      ).toBe(expected);
      expect(
        outcome(() => unarmor(Buffer.from(text, 'latin1'))),
        `case ${trial} as bytes`,
      ).toBe(outcome(() => unarmorPlainly(Buffer.from(text, 'latin1').toString('latin1'))));
    }
    // Most damage is refused, but not all (an edit that keeps the format): both kinds are compared.
    expect(refused).toBeGreaterThan(2000);
    expect(refused).toBeLessThan(4000);
  });

  it('names the line of a bad character in a line that is also too long', () => {
    const text = `${'A'.repeat(64)}\n${'A'.repeat(70)}*AAA\n`;
    expect(outcome(() => unarmor(text))).toBe('armor-char: line 2 has a character outside Base64 (code 42)');
    expect(outcome(() => unarmorPlainly(text))).toBe(outcome(() => unarmor(text)));
  });

  it('reads padding that ends a full line or a short one, and refuses non-zero padding bits', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    for (const length of [46, 47, 94, 95]) {
      const text = armor(randomBytes(length)).toString('latin1');
      expect(outcome(() => unarmor(text))).toBe(outcome(() => unarmorPlainly(text)));
      // The lowest bit of the character before the padding is one of the bits the padding leaves unused.
      const last = text.indexOf('=') - 1;
      const flipped = `${text.slice(0, last)}${alphabet[alphabet.indexOf(text[last]!) | 1]}${text.slice(last + 1)}`;
      expect(outcome(() => unarmor(flipped))).toBe('armor-char: the Base64 is not in canonical form');
      expect(outcome(() => unarmorPlainly(flipped))).toBe(outcome(() => unarmor(flipped)));
    }
  });
});
