import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XmlDocument, XmlElement, XmlText, XmlCData } from 'libxml2-wasm';
import { describe, expect, it } from 'vitest';
import { readElements } from '../../src/validation/xml/elementReader.js';
import type { Element } from '../../src/validation/xml/tree.js';

/** The same shape, read through libxml2's own tree (the slow, public way). */
function viaLibxml2(node: XmlElement): unknown {
  const children: unknown[] = [];
  let text = '';
  for (let c = node.firstChild; c; c = c.next) {
    if (c instanceof XmlElement) children.push(viaLibxml2(c));
    else if (c instanceof XmlText || c instanceof XmlCData) text += c.content;
  }
  return { name: node.name, line: node.line, text: children.length ? '' : text.replace(/\r\n?/g, '\n'), children };
}

function plain(e: Element): unknown {
  return { name: e.name, line: e.line, text: e.text.replace(/\r\n?/g, '\n'), children: e.children.map(plain) };
}

describe('element reader', () => {
  const dir = join(import.meta.dirname, '../../samples/valid');
  it.each(readdirSync(dir))('reads %s exactly as libxml2 parsed it', (name) => {
    const bytes = readFileSync(join(dir, name));
    const doc = XmlDocument.fromBuffer(bytes);
    try {
      expect(plain(readElements(bytes.toString('utf8')))).toEqual(viaLibxml2(doc.root));
    } finally {
      doc.dispose();
    }
  });

  it('handles comments, CDATA, entities, prefixes, self-closing tags and ">" inside attributes', () => {
    const text =
      '<?xml version="1.0"?>\n<!-- c -->\n<p:A xmlns:p="u" note="a>b">\n  <p:B>x &amp; &#x767C;&#31080;</p:B>\n  ' +
      '<C/><D><![CDATA[<raw>]]></D>\n</p:A>';
    const doc = XmlDocument.fromString(text);
    try {
      expect(plain(readElements(text))).toEqual(viaLibxml2(doc.root));
      expect(readElements(text).children[0]!.text).toBe('x & 發票');
    } finally {
      doc.dispose();
    }
  });

  it('joins a leaf text split by comments, processing instructions and CDATA, and numbers lines as libxml2 does', () => {
    const text = '<A>\n\n  <B>one<!-- not text -->two&lt;three&gt;<![CDATA[four]]>\nfive</B>\n<C>\n</C><D/>\n\n<E>six</E></A>';
    const doc = XmlDocument.fromString(text);
    try {
      const root = readElements(text);
      expect(plain(root)).toEqual(viaLibxml2(doc.root));
      expect(root.children[0]!.text).toBe('onetwo<three>four\nfive');
      expect(root.children.map((c) => c.line)).toEqual([3, 5, 6, 8]);
    } finally {
      doc.dispose();
    }
    // libxml2-wasm's node walk stops at a processing instruction, so this one is checked by value.
    expect(readElements('<A><B>one<?pi x?>two</B></A>').children[0]!.text).toBe('onetwo');
  });
});
