import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';

/**
 * File names the daemon derives from names it was given (WORK, BAK, ERR, outbox) must be names
 * every file system takes: ext4 and NTFS, a Samba share, a Windows ERP reading the folder. A given
 * name is kept as it is when it already is one; otherwise it is made one, and the given name is
 * kept as data (the journal, the message's source name, the ERR report). Pure.
 */

/**
 * The longest derived name, in UTF-8 bytes. Room is left for what is added to it: a claim id
 * (21 bytes) in WORK, a `~N` suffix in BAK/ERR, `.err.json`, a temporary prefix and suffix, all
 * within the 255 bytes a name may have.
 */
export const PORTABLE_NAME_MAX_BYTES = 150;

/**
 * Characters Windows refuses in a name, the C0 controls and DEL everywhere, the replacement
 * character (what a name that was not UTF-8 decodes to) and lone surrogates.
 */
const FORBIDDEN_CHARS = '\\u0000-\\u001f\\u007f<>:"/\\\\|?*\\ufffd';
const LONE_SURROGATE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const FORBIDDEN = new RegExp(`[${FORBIDDEN_CHARS}]|${LONE_SURROGATE}`);
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, 'g');
/** Windows device names, which stay devices whatever their extension. */
const DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** True when `name` can be used as it is on every file system (and is not longer than `maxBytes`). */
export function isPortableName(name: string, maxBytes = PORTABLE_NAME_MAX_BYTES): boolean {
  return (
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    Buffer.byteLength(name, 'utf8') <= maxBytes &&
    !FORBIDDEN.test(name) &&
    !DEVICE.test(name) &&
    !/[ .]$/.test(name) &&
    !name.startsWith(' ')
  );
}

/**
 * `name` when it is portable; otherwise a portable name made from it: forbidden characters become
 * `_`, the stem is cut to fit, and 8 hex digits of the name's SHA-256 keep different names apart.
 * The extension (`.xml`) is kept when it is short and plain. The same name always gives the same
 * result, so a step repeated after a crash derives the same name.
 */
export function portableName(name: string, maxBytes = PORTABLE_NAME_MAX_BYTES): string {
  if (isPortableName(name, maxBytes)) return name;
  const trimmed = name.replace(/[ .]+$/, ''); // Windows drops trailing dots and spaces
  const dot = trimmed.lastIndexOf('.');
  const extension = dot > 0 && /^\.[A-Za-z0-9]{1,8}$/.test(trimmed.slice(dot)) ? trimmed.slice(dot) : '';
  const stem = (extension ? trimmed.slice(0, dot) : trimmed).replace(FORBIDDEN_ALL, '_').replace(/^[ .]+|[ .]+$/g, '');
  const tag = `-${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8)}`;
  const room = maxBytes - Buffer.byteLength(tag + extension, 'utf8');
  const cut = cutToBytes(stem, room);
  const base = DEVICE.test(cut) || cut === '' ? `_${cut}` : cut;
  return `${cutToBytes(base, room)}${tag}${extension}`;
}

/**
 * A name read from the file system as bytes, as text a person can read: UTF-8 when it is UTF-8,
 * else Big5 (what a Traditional Chinese Windows machine writes on a share) when it decodes as
 * Big5, else UTF-8 with each undecodable byte replaced.
 */
export function readableName(raw: Uint8Array): string {
  if (isUtf8(raw)) return Buffer.from(raw).toString('utf8');
  try {
    return new TextDecoder('big5', { fatal: true }).decode(raw);
  } catch {
    return new TextDecoder('utf-8').decode(raw);
  }
}

/** The longest prefix of `text` whose UTF-8 form fits in `bytes`, never cutting a character in two. */
function cutToBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= bytes) return text;
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (used + size > bytes) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}
