import type { Element } from './tree.js';

/**
 * Reads the element tree of a document that libxml2 has ALREADY parsed and accepted as well-formed
 * (and that has no DTD: preflight refuses those). libxml2 stays the parser of record; this reader
 * only copies elements, leaf text and line numbers into plain objects, which is several times
 * cheaper than walking libxml2's tree through WebAssembly accessors (one boundary crossing and one
 * wrapper object per node and per property). It is never given a document libxml2 refused.
 */
export function readElements(text: string): Element {
  const stack: Element[] = [];
  let root: Element | null = null;
  let line = 1;
  let pos = 0;
  let pendingText = '';
  const length = text.length;

  const advanceLines = (from: number, to: number): void => {
    for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) line++;
  };

  while (pos < length) {
    const lt = text.indexOf('<', pos);
    const textEnd = lt === -1 ? length : lt;
    if (textEnd > pos) {
      if (stack.length > 0) pendingText += decodeEntities(text.slice(pos, textEnd));
      advanceLines(pos, textEnd);
    }
    if (lt === -1) break;

    const next = text.charCodeAt(lt + 1);
    if (next === 0x3f /* ? */) {
      pos = skipTo(text, '?>', lt, advanceLines);
    } else if (next === 0x21 /* ! */) {
      if (text.startsWith('<![CDATA[', lt)) {
        const end = text.indexOf(']]>', lt + 9);
        pendingText += text.slice(lt + 9, end);
        advanceLines(lt, end);
        pos = end + 3;
      } else {
        pos = skipTo(text, '-->', lt, advanceLines);
      }
    } else if (next === 0x2f /* / */) {
      const end = text.indexOf('>', lt);
      const element = stack.pop()!;
      if (element.children.length === 0) element.text = pendingText;
      pendingText = '';
      pos = end + 1;
    } else {
      const end = startTagEnd(text, lt);
      let nameEnd = lt + 1;
      while (nameEnd < end && !isNameEnd(text.charCodeAt(nameEnd))) nameEnd++;
      const qualified = text.slice(lt + 1, nameEnd);
      const colon = qualified.indexOf(':');
      const parent = stack.length > 0 ? stack[stack.length - 1]! : null;
      const element: Element = { name: colon === -1 ? qualified : qualified.slice(colon + 1), line, text: '', children: [], parent };
      if (parent) parent.children.push(element);
      else root = element;
      pendingText = '';
      advanceLines(lt, end);
      if (text.charCodeAt(end - 1) !== 0x2f /* self-closing */) stack.push(element);
      pos = end + 1;
    }
  }
  if (!root) throw new Error('readElements: no root element (the document was not checked by libxml2 first)');
  return root;
}

/** The index of the `>` closing a start tag, skipping `>` inside quoted attribute values. */
function startTagEnd(text: string, from: number): number {
  let quote = 0;
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return i;
    }
  }
  return text.length;
}

function skipTo(text: string, terminator: string, from: number, advanceLines: (a: number, b: number) => void): number {
  const end = text.indexOf(terminator, from);
  advanceLines(from, end);
  return end + terminator.length;
}

function isNameEnd(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f || c === 0x3e;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  if (raw.indexOf('&') === -1) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, ref: string) =>
    ref.startsWith('#x') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : NAMED[ref]!,
  );
}
