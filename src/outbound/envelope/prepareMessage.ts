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
    throw new EnvelopeError('envelope-message', 'the message has a DOCTYPE; messages are spliced into the envelope and may not carry a DTD');
  }
  return `${text}\n`;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // ignoreBOM keeps a BOM in the text, so that it is stripped in one place for strings and bytes alike.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new EnvelopeError('envelope-message', 'the message is not valid UTF-8', { cause });
  }
}
