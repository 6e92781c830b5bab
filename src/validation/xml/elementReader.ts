import { isNameEnd } from './names.js';
import type { Element } from './tree.js';

/**
 * Reads the element tree of a document that libxml2 has ALREADY parsed and accepted as well-formed
 * (and that has no DTD: preflight refuses those). libxml2 stays the parser of record; this reader
 * only copies elements and leaf text into plain objects (line numbers on demand), which is several times
 * cheaper than walking libxml2's tree through WebAssembly accessors (one boundary crossing and one
 * wrapper object per node and per property). It is never given a document libxml2 refused.
 */
export function readElements(text: string): Element {
  const lines = new LineIndex(text);
  const stack: ReadElement[] = [];
  let root: ReadElement | null = null;
  let pos = 0;
  // A leaf's text is sliced once, at its end tag, from where its raw text began; only text split by
  // a comment, a processing instruction or CDATA is gathered piece by piece into `gathered`.
  let rawFrom = 0;
  let gathered = '';
  const length = text.length;
  const gather = (to: number): void => {
    if (stack.length > 0 && to > rawFrom) gathered += decodeEntities(text.slice(rawFrom, to));
  };

  while (pos < length) {
    const lt = text.indexOf('<', pos);
    if (lt === -1) break;

    const next = text.charCodeAt(lt + 1);
    if (next === 0x3f /* ? */) {
      gather(lt);
      pos = text.indexOf('?>', lt) + 2;
      rawFrom = pos;
    } else if (next === 0x21 /* ! */) {
      gather(lt);
      if (text.startsWith('<![CDATA[', lt)) {
        const end = text.indexOf(']]>', lt + 9);
        if (stack.length > 0) gathered += text.slice(lt + 9, end);
        pos = end + 3;
      } else {
        pos = text.indexOf('-->', lt) + 3;
      }
      rawFrom = pos;
    } else if (next === 0x2f /* / */) {
      const element = stack.pop()!;
      if (element.children.length === 0) {
        element.text = lt > rawFrom ? gathered + decodeEntities(text.slice(rawFrom, lt)) : gathered;
      }
      gathered = '';
      pos = text.indexOf('>', lt) + 1;
      rawFrom = pos;
    } else {
      const end = startTagEnd(text, lt);
      let nameEnd = lt + 1;
      while (nameEnd < end && !isNameEnd(text.charCodeAt(nameEnd))) nameEnd++;
      let nameStart = lt + 1;
      for (let i = nameStart; i < nameEnd; i++) if (text.charCodeAt(i) === 0x3a /* : */) nameStart = i + 1;
      const parent = stack.length > 0 ? stack[stack.length - 1]! : null;
      const element = new ReadElement(text.slice(nameStart, nameEnd), lt, parent, lines);
      if (parent) parent.children.push(element);
      else root = element;
      gathered = '';
      if (text.charCodeAt(end - 1) !== 0x2f /* self-closing */) stack.push(element);
      pos = end + 1;
      rawFrom = pos;
    }
  }
  if (!root) throw new Error('readElements: no root element (the document was not checked by libxml2 first)');
  return root;
}

/**
 * An element read from the text. Its line is worked out only when asked for (findings name it;
 * valid documents never ask), from the offset of its start tag.
 */
class ReadElement implements Element {
  text = '';
  readonly children: ReadElement[] = [];
  /** 0 until first asked (findByLine asks every element it passes, once per XSD error). */
  private knownLine = 0;

  constructor(
    readonly name: string,
    private readonly offset: number,
    readonly parent: ReadElement | null,
    private readonly lines: LineIndex,
  ) {}

  get line(): number {
    if (this.knownLine === 0) this.knownLine = this.lines.lineAt(this.offset);
    return this.knownLine;
  }
}

/** Line numbers of a text by offset; the offsets of its line breaks are found on the first question. */
class LineIndex {
  private breaks: number[] | null = null;

  constructor(private readonly text: string) {}

  lineAt(offset: number): number {
    if (this.breaks === null) {
      this.breaks = [];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.breaks.push(i);
    }
    // Line = 1 + the number of breaks before the offset.
    let low = 0;
    let high = this.breaks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.breaks[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  }
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

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  if (raw.indexOf('&') === -1) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, ref: string) =>
    ref.startsWith('#x')
      ? String.fromCodePoint(parseInt(ref.slice(2), 16))
      : ref.startsWith('#')
        ? String.fromCodePoint(Number(ref.slice(1)))
        : NAMED[ref]!,
  );
}
