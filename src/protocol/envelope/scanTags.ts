import { isNameEnd } from '../../validation/xml/names.js';
import { EnvelopeError } from './EnvelopeError.js';

/** A start or end tag found in XML text, with its offsets (`end` is just past the `>`). */
export interface TagEvent {
  kind: 'start' | 'end';
  /** The qualified name as written (`Invoice`, `ns:Invoice`). */
  name: string;
  start: number;
  end: number;
  /** A start tag written `<a/>`. */
  selfClosing: boolean;
}

/**
 * Lists the tags of an XML document in order, stepping over comments, CDATA sections, processing
 * instructions, text, and quoted attribute values (which may hold `>`). It checks that tags nest;
 * it does not check everything a parser would, so callers pair it with a real parser.
 * A DOCTYPE is refused: the envelope has none, and refusing it keeps entity expansion out.
 */
export function scanTags(text: string): TagEvent[] {
  const events: TagEvent[] = [];
  const open: string[] = [];
  let rootClosed = false;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      if (open.length === 0) checkOutsideText(text, i, text.length);
      break;
    }
    // Only text outside the root is checked; text inside it is never looked at (nor copied).
    if (open.length === 0 && lt > i) checkOutsideText(text, i, lt);
    if (text.startsWith('<!--', lt)) {
      i = skipPast(text, '-->', lt + 4, 'comment');
    } else if (text.startsWith('<![CDATA[', lt)) {
      if (open.length === 0) fail(lt, 'CDATA outside the root element');
      i = skipPast(text, ']]>', lt + 9, 'CDATA section');
    } else if (text.startsWith('<?', lt)) {
      i = skipPast(text, '?>', lt + 2, 'processing instruction');
    } else if (text.startsWith('<!', lt)) {
      fail(lt, 'DOCTYPE and other declarations are not allowed');
    } else {
      const end = tagEnd(text, lt);
      const isEnd = text.charCodeAt(lt + 1) === 0x2f; /* / */
      const selfClosing = !isEnd && text.charCodeAt(end - 2) === 0x2f;
      const nameStart = isEnd ? lt + 2 : lt + 1;
      let nameEnd = nameStart;
      while (nameEnd < end && !isNameEnd(text.charCodeAt(nameEnd))) nameEnd++;
      if (nameEnd === nameStart) fail(lt, 'a tag without a name');
      const name = text.slice(nameStart, nameEnd);
      if (isEnd) {
        const expected = open.pop();
        if (expected !== name) fail(lt, `</${name}> does not close <${expected ?? '(nothing)'}>`);
        if (open.length === 0) rootClosed = true;
      } else {
        if (open.length === 0 && rootClosed) fail(lt, 'a second root element');
        if (!selfClosing) open.push(name);
        else if (open.length === 0) rootClosed = true;
      }
      events.push({ kind: isEnd ? 'end' : 'start', name, start: lt, end, selfClosing });
      i = end;
    }
  }
  if (open.length > 0) fail(text.length, `<${open[open.length - 1]}> is never closed`);
  if (!rootClosed) fail(0, 'no root element');
  return events;
}

/** Finds the `>` that ends the tag opened at `lt`, skipping quoted attribute values. */
function tagEnd(text: string, lt: number): number {
  let quote = 0;
  for (let j = lt + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3c /* < */) {
      fail(j, 'a "<" inside a tag');
    } else if (c === 0x3e /* > */) {
      return j + 1;
    }
  }
  return fail(lt, 'an unterminated tag');
}

function skipPast(text: string, terminator: string, from: number, what: string): number {
  const at = text.indexOf(terminator, from);
  if (at < 0) fail(from, `an unterminated ${what}`);
  return at + terminator.length;
}

function checkOutsideText(text: string, from: number, to: number): void {
  if (text.slice(from, to).trim() !== '') fail(from, 'text outside the root element');
}

function fail(offset: number, what: string): never {
  throw new EnvelopeError('envelope-parse', `not well-formed XML at character ${offset}: ${what}`);
}
