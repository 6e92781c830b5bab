import { isNameEnd } from '../../validation/xml/names.js';
import { EnvelopeError } from './EnvelopeError.js';

/**
 * Told of each start or end tag, in order. `depth` is the number of elements open around it (0 for
 * the root's tags); `start`/`end` span the tag (`end` just past its `>`), `nameStart`/`nameEnd` its
 * qualified name as written (`Invoice`, `ns:Invoice`).
 */
export type TagVisitor = (
  kind: 'start' | 'end',
  depth: number,
  start: number,
  end: number,
  selfClosing: boolean,
  nameStart: number,
  nameEnd: number,
) => void;

/**
 * Walks the tags of an XML document in order, stepping over comments, CDATA sections, processing
 * instructions, text, and quoted attribute values (which may hold `>`). It checks that tags nest;
 * it does not check everything a parser would, so callers pair it with a real parser.
 * A DOCTYPE is refused: the envelope has none, and refusing it keeps entity expansion out.
 * Nothing is allocated per tag (a pack of a thousand invoices has some 75,000 of them): open
 * elements are kept as offsets of their names.
 */
export function scanTags(text: string, visit: TagVisitor): void {
  /** Name start and end of each open element, in pairs. */
  const open: number[] = [];
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
    const next = text.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      i = skipMarkup(text, lt, open.length);
      continue;
    }
    const end = tagEnd(text, lt);
    const isEnd = next === 0x2f; /* / */
    const selfClosing = !isEnd && text.charCodeAt(end - 2) === 0x2f;
    const nameStart = isEnd ? lt + 2 : lt + 1;
    let nameEnd = nameStart;
    while (nameEnd < end && !isNameEnd(text.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd === nameStart) fail(lt, 'a tag without a name');
    if (isEnd) {
      if (open.length === 0) fail(lt, `</${text.slice(nameStart, nameEnd)}> does not close <(nothing)>`);
      const openEnd = open.pop()!;
      const openStart = open.pop()!;
      if (!sameName(text, openStart, openEnd, nameStart, nameEnd)) {
        fail(lt, `</${text.slice(nameStart, nameEnd)}> does not close <${text.slice(openStart, openEnd)}>`);
      }
      if (open.length === 0) rootClosed = true;
      visit('end', open.length / 2, lt, end, false, nameStart, nameEnd);
    } else {
      if (open.length === 0 && rootClosed) fail(lt, 'a second root element');
      const depth = open.length / 2;
      if (!selfClosing) open.push(nameStart, nameEnd);
      else if (open.length === 0) rootClosed = true;
      visit('start', depth, lt, end, selfClosing, nameStart, nameEnd);
    }
    i = end;
  }
  if (open.length > 0) fail(text.length, `<${text.slice(open[open.length - 2], open[open.length - 1])}> is never closed`);
  if (!rootClosed) fail(0, 'no root element');
}

/** Steps over a comment, CDATA section or processing instruction at `lt`; refuses a declaration. */
function skipMarkup(text: string, lt: number, openNames: number): number {
  if (text.startsWith('<!--', lt)) return skipPast(text, '-->', lt + 4, 'comment');
  if (text.startsWith('<![CDATA[', lt)) {
    if (openNames === 0) fail(lt, 'CDATA outside the root element');
    return skipPast(text, ']]>', lt + 9, 'CDATA section');
  }
  if (text.startsWith('<?', lt)) return skipPast(text, '?>', lt + 2, 'processing instruction');
  return fail(lt, 'DOCTYPE and other declarations are not allowed');
}

function sameName(text: string, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let k = 0; k < aEnd - aStart; k++) if (text.charCodeAt(aStart + k) !== text.charCodeAt(bStart + k)) return false;
  return true;
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
