import { f0401Xml, invoiceNumber } from './f0401.js';

/** One generated input: a file name, its bytes, and whether it must be refused (null: either way is right). */
export interface FuzzInput {
  name: string;
  bytes: Buffer;
  refused: boolean | null;
}

/** Deterministic pseudo-random numbers (a failure is replayed with the same seed). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Broken files, thousands of them, from one valid F0401: cut at every byte, bytes flipped at
 * random, other encodings and byte-order marks, a DTD with external entities (one naming a FIFO
 * outside the data root and one a URL on loopback: a parser that followed either would hang or be
 * seen) and an entity bomb, deep nesting, wrong namespaces, an empty file, NUL bytes, and a file
 * over the size limit. `outside` is a FIFO's path and `url` a listening URL; `maxBytes` the limit.
 */
export function fuzzInputs(options: { seed: number; flips: number; outside: string; url: string; maxBytes: number }): FuzzInput[] {
  const rand = seededRandom(options.seed);
  const valid = Buffer.from(f0401Xml({ number: invoiceNumber(1, 'FZ') }), 'utf8');
  const inputs: FuzzInput[] = [];
  const add = (name: string, bytes: Buffer | string, refused: boolean | null): void => {
    inputs.push({ name, bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, refused });
  };
  // Cut at every byte: all refused but the whole file and cuts that drop only the trailing newline.
  const end = valid.toString('utf8').trimEnd().length;
  for (let cut = 0; cut < valid.length; cut++) add(`cut-${cut}.xml`, valid.subarray(0, cut), cut < end ? true : null);
  for (let i = 0; i < options.flips; i++) {
    const bytes = Buffer.from(valid);
    const count = 1 + Math.floor(rand() * 4);
    for (let f = 0; f < count; f++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
    add(`flip-${i}.xml`, bytes, null);
  }
  const text = valid.toString('utf8');
  const body = text.replace(/^<\?xml[^>]*\?>\s*/, '');
  add('utf16le-bom.xml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), true);
  add('utf16be-bom.xml', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]), true);
  add('utf8-bom-twice.xml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), valid]), true);
  // Big5 bytes for 咖啡 in a file that says UTF-8, and one that says Big5.
  const big5 = Buffer.from([0xa9, 0x40, 0xb0, 0xd8]);
  add(
    'big5-bytes.xml',
    Buffer.concat([Buffer.from(text.slice(0, text.indexOf('</Name>'))), big5, Buffer.from(text.slice(text.indexOf('</Name>')))]),
    true,
  );
  add('big5-declared.xml', text.replace(/encoding="UTF-8"/i, 'encoding="Big5"'), true);
  add(
    'xxe-fifo.xml',
    `<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "file://${options.outside}">]>${body.replace('</Name>', '&x;</Name>')}`,
    true,
  );
  add('xxe-url.xml', `<!DOCTYPE Invoice [<!ENTITY x SYSTEM "${options.url}">]>${body.replace('</Name>', '&x;</Name>')}`, true);
  add('xxe-parameter.xml', `<!DOCTYPE Invoice [<!ENTITY % p SYSTEM "${options.url}/p.dtd"> %p;]>${body}`, true);
  const laughs = ['<!ENTITY l0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`)];
  add('entity-bomb.xml', `<!DOCTYPE Invoice [${laughs.join('')}]>${body.replace('</Name>', '&l9;</Name>')}`, true);
  add('deep-nesting.xml', `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`, true);
  add('deep-in-invoice.xml', text.replace('</Main>', `${'<x>'.repeat(5_000)}${'</x>'.repeat(5_000)}</Main>`), true);
  add('wrong-namespace.xml', text.replace(/xmlns="[^"]*"/, 'xmlns="urn:GEINV:eInvoiceMessage:F0401:9.9"'), true);
  add('no-namespace.xml', text.replace(/\s+xmlns="[^"]*"/, ''), true);
  add('html.xml', '<!doctype html><html><body>not an invoice</body></html>', true);
  add('empty.xml', Buffer.alloc(0), true);
  add('only-bom.xml', Buffer.from([0xef, 0xbb, 0xbf]), true);
  add('whitespace.xml', ' \n\t\r\n', true);
  add('nul-only.xml', Buffer.alloc(64), true);
  add('nul-inside.xml', Buffer.concat([valid.subarray(0, 200), Buffer.from([0]), valid.subarray(200)]), true);
  add('binary.xml', Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rand() * 256))), true);
  add('too-large.xml', text.replace('</Main>', `<!--${'x'.repeat(options.maxBytes)}--></Main>`), true);
  add('cdata-and-pi.xml', text.replace('</Name>', '<![CDATA[]]>]]></Name>'), true);
  add('two-roots.xml', `${text}${body}`, true);
  // Names an ERP or a user may give: refused content under each, so that the report's name is tested too.
  add(`${'n'.repeat(246)}.xml`, text.replace('</Main>', '<Oops/></Main>'), true);
  add('發票 測試 ✓ 2026.xml', text.replace('</Main>', '<Oops/></Main>'), true);
  add('-rf --no-preserve-root.xml', text.replace('</Main>', '<Oops/></Main>'), true);
  add(' leading and trailing spaces .xml', text.replace('</Main>', '<Oops/></Main>'), true);
  return inputs;
}
