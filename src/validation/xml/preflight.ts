import { isUtf8 } from 'node:buffer';

/**
 * Checks made on the raw bytes before any XML parser sees them: size, encoding, and anything that
 * would make a parser load or expand something (a DOCTYPE). MIG messages never carry a DTD, so a
 * document with one is refused outright: no entity is ever expanded, no external file is ever read.
 */
export type PreflightProblem =
  | { code: 'too-large'; size: number; limit: number }
  /** UTF-16 or UTF-32, told by its byte-order mark or, without one, by where its NUL bytes fall. */
  | { code: 'encoding'; kind: 'wide'; encoding: WideEncoding; bom: boolean }
  | { code: 'encoding'; kind: 'declared'; declared: string }
  /** A NUL byte in what is otherwise not a wide encoding: XML allows none anywhere. */
  | { code: 'encoding'; kind: 'nul'; line: number }
  | { code: 'encoding'; kind: 'invalid-utf8'; line: number; looksLikeBig5: boolean }
  | { code: 'unsafe-xml'; line: number };

export type WideEncoding = 'UTF-16LE' | 'UTF-16BE' | 'UTF-32LE' | 'UTF-32BE';

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** Byte-order marks, the four-byte ones first (UTF-32LE's begins with UTF-16LE's). */
const WIDE_BOMS: ReadonlyArray<{ bytes: readonly number[]; encoding: WideEncoding }> = [
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: 'UTF-32LE' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: 'UTF-32BE' },
  { bytes: [0xff, 0xfe], encoding: 'UTF-16LE' },
  { bytes: [0xfe, 0xff], encoding: 'UTF-16BE' },
];
const DOCTYPE = Buffer.from('<!DOCTYPE');
const ENTITY = Buffer.from('<!ENTITY');

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}

export function preflight(bytes: Uint8Array, maxBytes: number): PreflightProblem | null {
  if (bytes.length > maxBytes) return { code: 'too-large', size: bytes.length, limit: maxBytes };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const bom = WIDE_BOMS.find((b) => b.bytes.every((byte, i) => buf[i] === byte));
  if (bom) return { code: 'encoding', kind: 'wide', encoding: bom.encoding, bom: true };
  // libxml2 reads UTF-16 and UTF-32 without a byte-order mark by itself, and such bytes can be
  // valid UTF-8 (ASCII text with NULs between): only UTF-8 may reach the parser, so every NUL is
  // refused here, and the wide encodings are named for what they are.
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    const wide = wideEncodingOf(buf);
    return wide
      ? { code: 'encoding', kind: 'wide', encoding: wide, bom: false }
      : { code: 'encoding', kind: 'nul', line: lineAt(buf, nul) };
  }
  const declared = declaredEncoding(buf);
  if (declared !== null && !/^utf-?8$/i.test(declared)) return { code: 'encoding', kind: 'declared', declared };
  if (!isUtf8(buf)) {
    const offset = firstInvalidUtf8(buf);
    return { code: 'encoding', kind: 'invalid-utf8', line: lineAt(buf, offset), looksLikeBig5: looksLikeBig5(buf) };
  }

  const doctype = buf.indexOf(DOCTYPE);
  if (doctype >= 0) return { code: 'unsafe-xml', line: lineAt(buf, doctype) };
  const entity = buf.indexOf(ENTITY);
  if (entity >= 0) return { code: 'unsafe-xml', line: lineAt(buf, entity) };
  return null;
}

/** The encoding named in the XML declaration, if there is one. */
function declaredEncoding(buf: Buffer): string | null {
  const start = hasUtf8Bom(buf) ? 3 : 0;
  if (buf.toString('latin1', start, start + 5) !== '<?xml') return null;
  const end = buf.indexOf('?>', start);
  if (end < 0) return null;
  const declaration = buf.toString('latin1', start, end);
  const match = /encoding\s*=\s*["']([^"']*)["']/.exec(declaration);
  return match ? match[1]!.trim() : null;
}

/**
 * UTF-16 or UTF-32 without a byte-order mark: ASCII text (what XML markup is) puts its NUL bytes
 * at fixed places in each 2- or 4-byte unit. Looks at the first 256 bytes; null when the NULs fall
 * in no such pattern.
 */
function wideEncodingOf(buf: Buffer): WideEncoding | null {
  const sample = buf.subarray(0, Math.min(buf.length, 256) & ~3);
  if (sample.length < 4) return null;
  const zeros = [0, 0, 0, 0];
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) zeros[i % 4]!++;
  const units = sample.length / 4;
  const mostly = (n: number): boolean => n >= units * 0.9;
  const rarely = (n: number): boolean => n <= units * 0.1;
  const [z0, z1, z2, z3] = zeros as [number, number, number, number];
  if (rarely(z0) && mostly(z1) && mostly(z2) && mostly(z3)) return 'UTF-32LE';
  if (mostly(z0) && mostly(z1) && mostly(z2) && rarely(z3)) return 'UTF-32BE';
  if (rarely(z0) && mostly(z1) && rarely(z2) && mostly(z3)) return 'UTF-16LE';
  if (mostly(z0) && rarely(z1) && mostly(z2) && rarely(z3)) return 'UTF-16BE';
  return null;
}

function firstInvalidUtf8(buf: Buffer): number {
  // Binary search on prefixes would cut a character in half; scan sequences instead.
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > buf.length) return i;
    if (length > 1 && !isUtf8(buf.subarray(i, i + length))) return i;
    i += length;
  }
  return buf.length;
}

/** Big5 lead bytes 0x81-0xFE followed by 0x40-0x7E or 0xA1-0xFE, and most of the high bytes pair so. */
function looksLikeBig5(buf: Buffer): boolean {
  let pairs = 0;
  let strays = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b < 0x80) continue;
    const next = buf[i + 1] ?? 0;
    if (b >= 0x81 && b <= 0xfe && ((next >= 0x40 && next <= 0x7e) || (next >= 0xa1 && next <= 0xfe))) {
      pairs++;
      i++;
    } else {
      strays++;
    }
  }
  return pairs > 0 && strays <= pairs / 10;
}

export function lineAt(buf: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < buf.length; i++) if (buf[i] === 0x0a) line++;
  return line;
}
