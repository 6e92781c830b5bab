import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '../../src/validation/Validator.js';
import { f0401Xml, invoiceNumber } from '../helpers/f0401.js';

const F0401_NS = 'urn:GEINV:eInvoiceMessage:F0401:4.1';

describe('hostile and odd input', () => {
  let validator: Validator;
  beforeAll(async () => {
    validator = await Validator.create();
  });
  const codes = (text: string | Buffer) =>
    validator.validate(typeof text === 'string' ? Buffer.from(text) : text).errors.map((e) => e.code);

  it('refuses an entity-expansion bomb without expanding it', () => {
    const lol = ['<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">'];
    for (let i = 1; i < 10; i++) lol.push(`<!ENTITY ${'abcdefghij'[i]} "${`&${'abcdefghij'[i - 1]};`.repeat(10)}">`);
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE Invoice [${lol.join('')}]>\n<Invoice xmlns="${F0401_NS}">&j;</Invoice>`;
    const started = performance.now();
    expect(codes(bomb)).toEqual(['unsafe-xml']);
    // 10^9 expansions would take minutes and gigabytes; refusing unread takes well under a second.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('never reads a file named by an external entity', () => {
    const dir = mkdtempSync(join(tmpdir(), 'turnkey-xxe-'));
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'TOPSECRET');
    const xxe =
      `<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file://${secret}">]>\n<Invoice ` + `xmlns="${F0401_NS}">&x;</Invoice>`;
    const report = validator.validate(Buffer.from(xxe));
    expect(report.errors.map((e) => e.code)).toEqual(['unsafe-xml']);
    expect(JSON.stringify(report)).not.toContain('TOPSECRET');
  });

  it('does not fetch a schema an instance document names in xsi:schemaLocation', () => {
    const doc =
      `<Invoice xmlns="${F0401_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${F0401_NS} ` +
      `http://203.0.113.1/evil.xsd"><Main/></Invoice>`;
    const started = performance.now();
    const report = validator.validate(Buffer.from(doc));
    expect(report.errors.map((e) => e.code)).toContain('xsd');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('says not well-formed with the line and column', () => {
    const report = validator.validate(Buffer.from(`<Invoice xmlns="${F0401_NS}">\n  <Main>\n</Invoice>`));
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ code: 'wellformed', line: 3 });
    expect(report.errors[0]!.message).toMatch(/line 3, column \d+/);
  });

  it('names Big5 bytes as Big5', () => {
    // 發票 in Big5 is B5 6F B2 BC.
    const big5 = Buffer.concat([
      Buffer.from(`<Invoice xmlns="${F0401_NS}">\n<Main>`),
      Buffer.from([0xb5, 0x6f, 0xb2, 0xbc]),
      Buffer.from('</Main></Invoice>'),
    ]);
    const report = validator.validate(big5);
    expect(report.errors.map((e) => e.code)).toEqual(['encoding']);
    expect(report.errors[0]!.message).toContain('Big5');
    expect(report.errors[0]!.line).toBe(2);
  });

  it('refuses UTF-16 and a declared non-UTF-8 encoding', () => {
    expect(codes(Buffer.from('\ufeff<a/>', 'utf16le'))).toEqual(['encoding']);
    expect(codes('<?xml version="1.0" encoding="Big5"?><a/>')).toEqual(['encoding']);
  });

  describe('only UTF-8 reaches the parser', () => {
    // ASCII markup, so that its UTF-16 and UTF-32 forms are valid UTF-8 (NULs between the letters),
    // which libxml2 would read by itself and the field reader would not.
    const ascii = f0401Xml({ number: invoiceNumber(1), sellerName: 'Good Coffee', buyerName: 'Buyer Co' }).replace(
      /^<\?xml[^>]*\?>\s*/,
      '',
    );
    const broken = ascii.replace(/<TotalAmount>(\d+)</, (_, t: string) => `<TotalAmount>${Number(t) + 1}<`);
    const utf32 = (text: string, bigEndian = false): Buffer => {
      const out = Buffer.alloc(text.length * 4);
      for (let i = 0; i < text.length; i++) (bigEndian ? out.writeUInt32BE : out.writeUInt32LE).call(out, text.charCodeAt(i), i * 4);
      return out;
    };
    const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();
    const cases: Array<[string, Buffer, string]> = [
      ['UTF-16LE without a byte-order mark, with a declaration', Buffer.from(`<?xml version="1.0"?>${broken}`, 'utf16le'), 'UTF-16LE'],
      ['UTF-16LE without a byte-order mark or declaration', Buffer.from(broken, 'utf16le'), 'UTF-16LE'],
      ['UTF-16BE without a byte-order mark', utf16be(broken), 'UTF-16BE'],
      ['UTF-16LE with a byte-order mark', Buffer.from(`\ufeff${ascii}`, 'utf16le'), 'UTF-16LE'],
      ['UTF-16BE with a byte-order mark', utf16be(`\ufeff${ascii}`), 'UTF-16BE'],
      ['UTF-32LE without a byte-order mark', utf32(broken), 'UTF-32LE'],
      ['UTF-32BE without a byte-order mark', utf32(broken, true), 'UTF-32BE'],
      ['UTF-32LE with a byte-order mark', utf32(`\ufeff${ascii}`), 'UTF-32LE'],
      ['UTF-32BE with a byte-order mark', utf32(`\ufeff${ascii}`, true), 'UTF-32BE'],
      [
        'UTF-32LE with a DOCTYPE and an entity',
        utf32(`<!DOCTYPE Invoice [<!ENTITY e "x">]>${ascii.replace('Buyer Co', '&e;')}`),
        'UTF-32LE',
      ],
    ];
    it.each(cases)('refuses %s as encoding, naming it', (_what, bytes, encoding) => {
      const report = validator.validate(bytes);
      expect(report.valid).toBe(false);
      expect(report.errors.map((e) => e.code)).toEqual(['encoding']);
      expect(report.errors[0]!.message).toContain(encoding);
      expect(report.invoiceIdentifier).toBeNull();
    });

    it('refuses a NUL byte anywhere, with its line', () => {
      const report = validator.validate(Buffer.concat([Buffer.from(`${ascii}\n`), Buffer.from([0])]));
      expect(report.errors.map((e) => e.code)).toEqual(['encoding']);
      expect(report.errors[0]!.message).toContain('NUL');
      expect(report.errors[0]!.line).toBe(ascii.split('\n').length + 1);
    });

    it('still accepts the same document as UTF-8, with or without a byte-order mark', () => {
      expect(validator.validate(Buffer.from(ascii)).valid).toBe(true);
      expect(validator.validate(Buffer.from(`\ufeff${ascii}`)).valid).toBe(true);
    });
  });

  it('says unknown-message for a root it does not know', () => {
    expect(codes('<Invoice xmlns="urn:example:other"/>')).toEqual(['unknown-message']);
    expect(codes('<Something/>')).toEqual(['unknown-message']);
  });

  it('refuses a file over the size limit before parsing it', async () => {
    const small = await Validator.create({ maxBytes: 100 });
    const report = small.validate(Buffer.alloc(101, 0x20));
    expect(report.errors.map((e) => e.code)).toEqual(['too-large']);
  });
});
