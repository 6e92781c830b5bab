import { TurnkeyError } from '../errors/TurnkeyError.js';

/** The largest signed (armored) file the platform takes: 20 MiB, checked before zipping. */
export const MAX_SIGNED_FILE_BYTES = 20_971_520;

const LINE_LENGTH = 64;

/**
 * Why armored bytes were refused:
 * - `armor-empty`: nothing to armor or unarmor;
 * - `armor-cr`: a carriage return (the format is LF only);
 * - `armor-marker`: a `-----BEGIN`/`-----END` line (the format has none);
 * - `armor-char`: a character outside the Base64 alphabet, or padding in the wrong place;
 * - `armor-layout`: lines not 64 characters, an empty line, or no LF at the end;
 * - `armor-too-large`: over `MAX_SIGNED_FILE_BYTES`.
 */
export type ArmorErrorCode = 'armor-empty' | 'armor-cr' | 'armor-marker' | 'armor-char' | 'armor-layout' | 'armor-too-large';

export class ArmorError extends TurnkeyError {
  declare readonly code: ArmorErrorCode;

  constructor(code: ArmorErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
  }
}

/**
 * Armors CMS bytes into "the signed file": standard Base64, 64 characters per line, LF after
 * every line including the last, no markers, no CR, never an empty final line.
 */
export function armor(cms: Uint8Array): Buffer {
  if (cms.length === 0) throw new ArmorError('armor-empty', 'there are no bytes to armor');
  // Encoded straight into the one output buffer: a pack of several megabytes makes no Base64
  // string and no second buffer of it to copy line by line (two transient copies of its size).
  const characters = 4 * Math.ceil(cms.length / 3);
  const out = Buffer.allocUnsafe(characters + Math.ceil(characters / LINE_LENGTH));
  const whole = cms.length - (cms.length % 3);
  let at = 0;
  let column = 0;
  let i = 0;
  for (; i < whole; i += 3) {
    const bits = (cms[i]! << 16) | (cms[i + 1]! << 8) | cms[i + 2]!;
    out[at] = BASE64_CODES[bits >>> 18]!;
    out[at + 1] = BASE64_CODES[(bits >>> 12) & 63]!;
    out[at + 2] = BASE64_CODES[(bits >>> 6) & 63]!;
    out[at + 3] = BASE64_CODES[bits & 63]!;
    at += 4;
    column += 4;
    if (column === LINE_LENGTH) {
      out[at++] = LF;
      column = 0;
    }
  }
  if (i < cms.length) {
    // One or two bytes left: padded with "=" to a whole quantum.
    const two = i + 1 < cms.length;
    const bits = (cms[i]! << 16) | (two ? cms[i + 1]! << 8 : 0);
    out[at] = BASE64_CODES[bits >>> 18]!;
    out[at + 1] = BASE64_CODES[(bits >>> 12) & 63]!;
    out[at + 2] = two ? BASE64_CODES[(bits >>> 6) & 63]! : PAD;
    out[at + 3] = PAD;
    at += 4;
    column += 4;
  }
  if (column !== 0) out[at] = LF;
  return out;
}

/** Reads armored bytes back, refusing anything `armor` would not have written. */
export function unarmor(armored: Uint8Array | string): Buffer {
  const text =
    typeof armored === 'string' ? armored : Buffer.from(armored.buffer, armored.byteOffset, armored.byteLength).toString('latin1');
  if (text.length === 0) throw new ArmorError('armor-empty', 'the signed file is empty');
  if (text.includes('\r')) throw new ArmorError('armor-cr', 'the signed file has carriage returns (CR); it must use LF only');
  if (text.includes('-----')) throw new ArmorError('armor-marker', 'the signed file has "-----" markers; it must be bare Base64');
  if (!text.endsWith('\n')) throw new ArmorError('armor-layout', 'the signed file does not end with LF');

  // One pass of the native regex finds the first bad character, one walk over the line ends the
  // first bad line: a pack of megabytes is neither split into lines nor joined again. The first
  // problem in reading order is reported, a line's character before its length.
  const bad = /[^A-Za-z0-9+/=\n]/.exec(text);
  const badAt = bad ? bad.index : text.length;
  let lineNumber = 1;
  for (let lineStart = 0; lineStart < text.length; lineNumber++) {
    const lineEnd = text.indexOf('\n', lineStart);
    if (badAt < lineEnd) break; // the bad character's line: reported for its character
    const length = lineEnd - lineStart;
    const isLast = lineEnd === text.length - 1;
    if (length === 0) throw new ArmorError('armor-layout', `line ${lineNumber} is empty`);
    if (isLast ? length > LINE_LENGTH : length !== LINE_LENGTH) {
      throw new ArmorError(
        'armor-layout',
        `line ${lineNumber} has ${length} characters; lines have ${LINE_LENGTH}, the last 1 to ${LINE_LENGTH}`,
      );
    }
    lineStart = lineEnd + 1;
  }
  if (bad) {
    throw new ArmorError('armor-char', `line ${lineNumber} has a character outside Base64 (code ${bad[0].charCodeAt(0)})`);
  }

  const lines = Math.ceil(text.length / (LINE_LENGTH + 1));
  const characters = text.length - lines;
  const firstPad = text.indexOf('=');
  const padding = firstPad < 0 ? '' : text.slice(firstPad).replaceAll('\n', '');
  if (characters % 4 !== 0 || (firstPad >= 0 && padding !== '=' && padding !== '==')) {
    throw new ArmorError('armor-char', 'the Base64 is truncated or has padding ("=") in the wrong place');
  }
  // Non-zero bits in the padding would decode all the same; refuse them so that one file has one reading.
  if (padding !== '') {
    // A quantum never spans lines (64 is a multiple of 4): the character before the padding is on its line.
    const last = BASE64_ALPHABET.indexOf(text.charAt(firstPad - 1));
    if ((last & (padding.length === 2 ? 0x0f : 0x03)) !== 0) throw new ArmorError('armor-char', 'the Base64 is not in canonical form');
  }
  // Node's Base64 decoder steps over the line feeds.
  return Buffer.from(text, 'base64');
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_CODES = Buffer.from(BASE64_ALPHABET, 'latin1');
const LF = 0x0a;
const PAD = 0x3d; // "="

/** Refuses a signed file over the platform's 20 MiB limit (checked on the armored bytes, before zipping). */
export function checkSignedFileSize(armored: Uint8Array): void {
  if (armored.length > MAX_SIGNED_FILE_BYTES) {
    throw new ArmorError(
      'armor-too-large',
      `the signed file is ${armored.length} bytes; the platform takes at most ${MAX_SIGNED_FILE_BYTES}`,
      {
        hint: 'put fewer messages in each pack',
      },
    );
  }
}
