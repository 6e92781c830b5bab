import { describe, expect, it } from 'vitest';
import { isPortableName, portableName, PORTABLE_NAME_MAX_BYTES, readableName } from '../../src/fs/portableName.js';

describe('portable file names', () => {
  it('keeps a name every file system takes as it is, Chinese included', () => {
    for (const name of ['AB12345678.xml', 'erp_batch_0001.xml', '發票 一月.xml', '-rf invoice.xml', 'a~b.xml']) {
      expect(isPortableName(name), name).toBe(true);
      expect(portableName(name)).toBe(name);
    }
  });

  it.each([
    ['a backslash', 'erp\\out.xml'],
    ['a colon', 'c:out.xml'],
    ['a question mark and a star', 'what?*.xml'],
    ['a control character', 'line\nbreak.xml'],
    ['a replacement character (a name that was not UTF-8)', 'bad\ufffdname.xml'],
    ['a lone surrogate', 'half\ud800.xml'],
    ['a trailing dot', 'name.xml.'],
    ['a Windows device name', 'CON.xml'],
    ['too many bytes', `${'發'.repeat(60)}.xml`],
  ])('makes a name with %s portable, keeping the extension and telling names apart', (_what, name) => {
    const made = portableName(name);
    expect(isPortableName(made), made).toBe(true);
    expect(made).not.toBe(name);
    expect(made.endsWith('.xml')).toBe(true);
    expect(Buffer.byteLength(made)).toBeLessThanOrEqual(PORTABLE_NAME_MAX_BYTES);
    expect(portableName(name)).toBe(made); // the same name always gives the same result
    expect(portableName(`${name}x`)).not.toBe(made);
  });

  it('cuts a long name at a character boundary, within the limit it is given', () => {
    const made = portableName(`${'票'.repeat(100)}.xml`, 60);
    expect(Buffer.byteLength(made)).toBeLessThanOrEqual(60);
    expect(made).toMatch(/^票+-[0-9a-f]{8}\.xml$/);
  });

  it('reads a name given as bytes as UTF-8, else as Big5, else with the odd bytes replaced', () => {
    expect(readableName(Buffer.from('發票.xml'))).toBe('發票.xml');
    expect(readableName(Buffer.from([0xb5, 0x6f, 0xb2, 0xbc, 0x2e, 0x78, 0x6d, 0x6c]))).toBe('發票.xml');
    expect(readableName(Buffer.from([0x61, 0xc3, 0x28]))).toBe('a\ufffd(');
  });
});
