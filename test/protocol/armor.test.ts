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
