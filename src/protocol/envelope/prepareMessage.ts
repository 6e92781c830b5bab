import { isUtf8 } from 'node:buffer';
import { EnvelopeError } from './EnvelopeError.js';

const XML_DECLARATION = /^<\?xml[ \t\n][^]*?\?>/;
const DECLARED_ENCODING = /\bencoding\s*=\s*["']([^"']*)["']/;
const UTF8_NAMES = new Set(['utf-8', 'utf8']);

/**
 * Turns one message into the exact text the envelope splices in: the UTF-8 BOM and the XML
 * declaration removed, CRLF and lone CR turned into LF, whitespace outside the root element
 * dropped, and a single LF at the end, so every line ends with exactly one LF. The message itself
 * is never re-serialized: what is between its first `<` and its last `>` is kept byte for byte.
 *
 * Bytes are decoded as UTF-8 (strictly); a declaration naming another encoding is refused for
 * bytes, since the envelope is UTF-8. A string is taken as already decoded, whatever it declares.
 */
export function prepareMessage(message: string | Uint8Array): string {
  const fromBytes = typeof message !== 'string';
  let text = fromBytes ? decodeUtf8(message) : message;
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  text = text.replace(/\r\n?/g, '\n').trimStart();

  const declaration = XML_DECLARATION.exec(text);
  if (declaration) {
    const encoding = DECLARED_ENCODING.exec(declaration[0])?.[1];
    if (fromBytes && encoding !== undefined && !UTF8_NAMES.has(encoding.toLowerCase())) {
      throw new EnvelopeError('envelope-message', `the message declares encoding "${encoding}"; messages must be UTF-8`);
    }
    text = text.slice(declaration[0].length);
  }
  // Whitespace around the root element is not part of the message; trimming it keeps the pack free of blank lines.
  text = text.replace(/^[ \t\n]+|[ \t\n]+$/g, '');

  if (!text.startsWith('<') || !text.endsWith('>')) {
    throw new EnvelopeError('envelope-message', 'the message is not an XML element (it must start with "<" and end with ">")');
  }
  if (/<\?xml[ \t\n?]/.test(text)) {
    throw new EnvelopeError('envelope-message', 'the message contains an XML declaration that is not at its start');
  }
  if (text.includes('<!DOCTYPE')) {
    throw new EnvelopeError(
      'envelope-message',
      'the message has a DOCTYPE; messages are spliced into the envelope and may not carry a DTD',
    );
  }
  return `${text}\n`;
}

/**
 * The same as `prepareMessage`, as UTF-8 bytes and without the final LF. Bytes that need nothing
 * but trimming (UTF-8, no CR, ASCII whitespace around the root: what intake keeps) are answered
 * with a view of the input, without decoding them: a pack of a thousand messages is spliced
 * without a copy per message. Anything else takes the text path, so the two agree by construction.
 */
export function prepareMessageBytes(message: string | Uint8Array): Uint8Array {
  if (typeof message !== 'string') {
    const view = trimmedWithoutDecoding(message);
    if (view) return view;
  }
  const text = prepareMessage(message);
  return Buffer.from(text.slice(0, -1), 'utf8');
}

const LT = 0x3c;
const GT = 0x3e;
const CR = 0x0d;

/** null when the bytes need more than trimming (or are refused): the text path decides then. */
function trimmedWithoutDecoding(bytes: Uint8Array): Uint8Array | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.indexOf(CR) !== -1 || !isUtf8(buffer)) return null;
  let start = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  // trimStart's ASCII whitespace (CR is absent); other whitespace is for the text path.
  while (start < buffer.length && (buffer[start] === 0x20 || (buffer[start]! >= 0x09 && buffer[start]! <= 0x0c))) start++;
  if (buffer[start] !== LT) return null;
  if (/^<\?xml[ \t\n]/.test(buffer.toString('latin1', start, start + 6))) {
    const close = buffer.indexOf('?>', start + 5);
    if (close === -1) return null;
    const encoding = DECLARED_ENCODING.exec(buffer.toString('latin1', start, close + 2))?.[1];
    if (encoding !== undefined && !UTF8_NAMES.has(encoding.toLowerCase())) return null;
    start = close + 2;
    while (start < buffer.length && isXmlSpace(buffer[start]!)) start++;
  }
  let end = buffer.length;
  while (end > start && isXmlSpace(buffer[end - 1]!)) end--;
  if (buffer[start] !== LT || buffer[end - 1] !== GT) return null;
  const body = buffer.subarray(start, end);
  for (let at = body.indexOf('<?xml'); at !== -1; at = body.indexOf('<?xml', at + 1)) {
    if (at + 5 >= body.length || isXmlSpace(body[at + 5]!) || body[at + 5] === 0x3f) return null;
  }
  if (body.indexOf('<!DOCTYPE') !== -1) return null;
  return body;
}

function isXmlSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // ignoreBOM keeps a BOM in the text, so that it is stripped in one place for strings and bytes alike.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new EnvelopeError('envelope-message', 'the message is not valid UTF-8', { cause });
  }
}
