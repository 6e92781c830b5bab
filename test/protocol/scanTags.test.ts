import { describe, expect, it } from 'vitest';
import { scanTags } from '../../src/protocol/envelope/scanTags.js';

/** Each tag the scanner reports, written out: kind, depth, name, and the tag's own text. */
function tagsOf(text: string): string[] {
  const tags: string[] = [];
  scanTags(text, (kind, depth, start, end, selfClosing, nameStart, nameEnd) => {
    tags.push(`${kind} ${depth} ${text.slice(nameStart, nameEnd)}${selfClosing ? ' (empty)' : ''} ${text.slice(start, end)}`);
  });
  return tags;
}

const refusal = (text: string): string => {
  try {
    scanTags(text, () => undefined);
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
  return 'taken';
};

describe('scanTags', () => {
  it('reports each tag with its depth and name, stepping over comments, CDATA, instructions and quoted ">"', () => {
    const text =
      '<?xml version="1.0"?>\n<!-- <no/> -->\n<ns:A x="1>2" y=\'<\'>' + '<B><![CDATA[<no>]]></B><?pi <no/>?><C/><!-- --></ns:A>\n';
    expect(tagsOf(text)).toEqual([
      `start 0 ns:A <ns:A x="1>2" y='<'>`,
      'start 1 B <B>',
      'end 1 B </B>',
      'start 1 C (empty) <C/>',
      'end 0 ns:A </ns:A>',
    ]);
  });

  it('refuses what does not nest, with where and why', () => {
    expect(refusal('<A><B></A></B>')).toBe('envelope-parse: not well-formed XML at character 6: </A> does not close <B>');
    expect(refusal('<A></A></B>')).toBe('envelope-parse: not well-formed XML at character 7: </B> does not close <(nothing)>');
    expect(refusal('<A><B></B>')).toBe('envelope-parse: not well-formed XML at character 10: <A> is never closed');
    expect(refusal('<A/><B/>')).toBe('envelope-parse: not well-formed XML at character 4: a second root element');
    expect(refusal('<A></AB>')).toBe('envelope-parse: not well-formed XML at character 3: </AB> does not close <A>');
    expect(refusal('text<A/>')).toBe('envelope-parse: not well-formed XML at character 0: text outside the root element');
    expect(refusal('<![CDATA[x]]><A/>')).toBe('envelope-parse: not well-formed XML at character 0: CDATA outside the root element');
    expect(refusal('<!DOCTYPE A><A/>')).toBe(
      'envelope-parse: not well-formed XML at character 0: DOCTYPE and other declarations are not allowed',
    );
    expect(refusal('<A><!-- x</A>')).toBe('envelope-parse: not well-formed XML at character 7: an unterminated comment');
    expect(refusal('<A><></A>')).toBe('envelope-parse: not well-formed XML at character 3: a tag without a name');
    expect(refusal('')).toBe('envelope-parse: not well-formed XML at character 0: no root element');
    expect(refusal('<A><B></B></A>')).toBe('taken');
  });
});
