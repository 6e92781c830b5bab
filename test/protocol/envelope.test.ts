import { describe, expect, it } from 'vitest';
import {
  EnvelopeError,
  parseEnvelope,
  prepareMessage,
  prepareMessageBytes,
  serializeEnvelope,
  type EnvelopeContent,
  type EnvelopeRouting,
} from '../../src/protocol/envelope/index.js';

const routing: EnvelopeRouting = {
  from: { id: '12345678', description: 'Example Co' },
  fromVac: { id: 'RID12345678' },
  to: { id: '0000000000' },
  toVac: { id: '0000000000', description: 'Platform' },
};

const invoiceA =
  '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
  '<Invoice xmlns="urn:GEINV:eInvoiceMessage:F0401:4.1">\r\n' +
  '  <Main><InvoiceNumber>AB12345678</InvoiceNumber></Main>\r\n' +
  '</Invoice>\r\n';
const invoiceB = '<Invoice xmlns="urn:GEINV:eInvoiceMessage:F0401:4.1"><Main><InvoiceNumber>AB12345679</InvoiceNumber></Main></Invoice>';

function envelope(overrides: Partial<EnvelopeContent> = {}): EnvelopeContent {
  return { routing, messageType: 'F0401', messages: [invoiceA, invoiceB], ...overrides };
}

describe('serializeEnvelope', () => {
  it('writes the exact bytes of a two-message envelope', () => {
    const expected =
      '\n' +
      '<InvoiceEnvelope xmlns="urn:GEINV:InvoiceEnvelope:4.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
      'xsi:schemaLocation="urn:GEINV:InvoiceEnvelope:4.1 InvoiceEnvelope.xsd">\n' +
      '  <From>\n' +
      '    <PartyId>12345678</PartyId>\n' +
      '    <Description>Example Co</Description>\n' +
      '  </From>\n' +
      '  <FromVAC>\n' +
      '    <RoutingId>RID12345678</RoutingId>\n' +
      '  </FromVAC>\n' +
      '  <To>\n' +
      '    <PartyId>0000000000</PartyId>\n' +
      '  </To>\n' +
      '  <ToVAC>\n' +
      '    <RoutingId>0000000000</RoutingId>\n' +
      '    <Description>Platform</Description>\n' +
      '  </ToVAC>\n' +
      '  <InvoicePack count="2" messageType="F0401" version="v41">\n' +
      '<Invoice xmlns="urn:GEINV:eInvoiceMessage:F0401:4.1">\n' +
      '  <Main><InvoiceNumber>AB12345678</InvoiceNumber></Main>\n' +
      '</Invoice>\n' +
      '<Invoice xmlns="urn:GEINV:eInvoiceMessage:F0401:4.1"><Main><InvoiceNumber>AB12345679</InvoiceNumber></Main></Invoice>\n' +
      '</InvoicePack>\n' +
      '</InvoiceEnvelope>\n';
    const bytes = serializeEnvelope(envelope());
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.toString('utf8')).toBe(expected);
    expect(bytes.includes('\r')).toBe(false);
    expect(bytes.includes('<?xml')).toBe(false);
  });

  it('writes a Description line only when one is set (an empty one counts as unset)', () => {
    const text = serializeEnvelope(
      envelope({
        routing: { from: { id: '1', description: '' }, fromVac: { id: '2' }, to: { id: '3', description: 'To desc' }, toVac: { id: '4' } },
      }),
    ).toString();
    expect(text).toContain('  <From>\n    <PartyId>1</PartyId>\n  </From>\n');
    expect(text).toContain('  <To>\n    <PartyId>3</PartyId>\n    <Description>To desc</Description>\n  </To>\n');
    expect(text.match(/<Description>/g)).toHaveLength(1);
  });

  it('escapes & < > in text and & < > " \' in attribute values', () => {
    const text = serializeEnvelope(
      envelope({
        routing: { ...routing, from: { id: 'A&B<C>', description: `Tom & "Jerry's" <shop>` } },
        messageType: `F"0'4<0>1&`,
        version: 'v"41',
      }),
    ).toString();
    expect(text).toContain('<PartyId>A&amp;B&lt;C&gt;</PartyId>');
    expect(text).toContain(`<Description>Tom &amp; "Jerry's" &lt;shop&gt;</Description>`);
    expect(text).toContain('messageType="F&quot;0&apos;4&lt;0&gt;1&amp;" version="v&quot;41"');
  });

  it('refuses an envelope of 0 messages and one of 1001, and accepts 1 and 1000', () => {
    const refuse = (n: number) => () => serializeEnvelope(envelope({ messages: Array.from({ length: n }, () => invoiceB) }));
    expect(refuse(0)).toThrow(EnvelopeError);
    expect(refuse(0)).toThrow(expect.objectContaining({ code: 'envelope-count' }));
    expect(refuse(1001)).toThrow(expect.objectContaining({ code: 'envelope-count' }));
    expect(serializeEnvelope(envelope({ messages: [invoiceB] })).toString()).toContain('<InvoicePack count="1" ');
    expect(serializeEnvelope(envelope({ messages: Array.from({ length: 1000 }, () => invoiceB) })).toString()).toContain(
      '<InvoicePack count="1000" ',
    );
  });

  it('refuses routing values that are empty or span lines', () => {
    expect(() => serializeEnvelope(envelope({ routing: { ...routing, to: { id: '' } } }))).toThrow(
      expect.objectContaining({ code: 'envelope-value' }),
    );
    expect(() => serializeEnvelope(envelope({ routing: { ...routing, to: { id: '1', description: 'a\nb' } } }))).toThrow(
      expect.objectContaining({ code: 'envelope-value' }),
    );
  });

  it('splices message bytes in as UTF-8 text, untouched apart from line endings', () => {
    const chinese = Buffer.from(
      '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<Invoice a="1"  b=\'2\'><Name>測試 &amp; 公司</Name></Invoice>',
      'utf8',
    );
    const text = serializeEnvelope(envelope({ messages: [chinese] })).toString('utf8');
    expect(text).toContain(`">\n<Invoice a="1"  b='2'><Name>測試 &amp; 公司</Name></Invoice>\n</InvoicePack>\n`);
  });
});

describe('prepareMessage', () => {
  it('strips a BOM and the XML declaration and ends the text with exactly one LF', () => {
    expect(prepareMessage('\uFEFF<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<A/>')).toBe('<A/>\n');
    expect(prepareMessage(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('<?xml version="1.0"?><A/>\n\n\n')]))).toBe('<A/>\n');
  });

  it('turns CRLF and lone CR into LF', () => {
    expect(prepareMessage('<A>\r\n<B/>\r<C/>\r\n</A>\r\n')).toBe('<A>\n<B/>\n<C/>\n</A>\n');
  });

  it('keeps blank lines and indentation inside the message', () => {
    expect(prepareMessage('<A>\n\n  <B/>\n</A>')).toBe('<A>\n\n  <B/>\n</A>\n');
  });

  it('refuses bytes that are not UTF-8 or declare another encoding', () => {
    expect(() => prepareMessage(Buffer.from([0x3c, 0x41, 0xff, 0x2f, 0x3e]))).toThrow(
      expect.objectContaining({ code: 'envelope-message' }),
    );
    expect(() => prepareMessage(Buffer.from('<?xml version="1.0" encoding="Big5"?><A/>'))).toThrow(
      expect.objectContaining({ code: 'envelope-message' }),
    );
    // A string is already decoded: its declared encoding no longer matters.
    expect(prepareMessage('<?xml version="1.0" encoding="Big5"?><A/>')).toBe('<A/>\n');
  });

  it('refuses text that is not an element, a stray declaration, and a DOCTYPE', () => {
    for (const bad of ['', '   ', 'hello', '<A/>\n<?xml version="1.0"?>', '<!DOCTYPE A [<!ENTITY x "y">]><A>&x;</A>']) {
      expect(() => prepareMessage(bad), bad).toThrow(expect.objectContaining({ code: 'envelope-message' }));
    }
  });
});

describe('prepareMessageBytes', () => {
  const texts = [
    '<A/>',
    '<?xml version="1.0" encoding="UTF-8"?>\n<Invoice><Name>測試 公司</Name></Invoice>\n',
    '\uFEFF<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n\n  <A>\n\n  <B/>\n</A>\n\n',
    '\t\v\f <?xml version="1.0"?> \t<A/> \t\n',
    '<?xml version="1.0"?>\v<A/>',
    '\u3000<A/>',
    '\u00A0<?xml version="1.0"?><A/>',
    '<A/>\u3000',
    '\uFEFF\uFEFF<A/>',
    '<A>\r\n<B/>\r</A>\r\n',
    '<?xml version="1.0" encoding="Big5"?><A/>',
    "<?xml version='1.0' encoding='UTF8'?><A/>",
    '<?xml version="1.0"<A/>',
    '<A/>\n<?xml version="1.0"?>',
    '<A><?xml-stylesheet href="x"?></A>',
    '<A><?xml?></A>',
    '<!DOCTYPE A [<!ENTITY x "y">]><A>&x;</A>',
    '<A>&lt;!DOCTYPE</A>',
    'hello',
    '   ',
    '',
  ];
  const inputs: Array<string | Buffer> = [
    ...texts,
    ...texts.map((t) => Buffer.from(t, 'utf8')),
    Buffer.from([0x3c, 0x41, 0xff, 0x2f, 0x3e]),
  ];

  it('gives the bytes of prepareMessage without its final LF, or refuses what it refuses', () => {
    for (const input of inputs) {
      let expected: Buffer | EnvelopeError;
      try {
        expected = Buffer.from(prepareMessage(input).slice(0, -1), 'utf8');
      } catch (error) {
        expected = error as EnvelopeError;
      }
      const label = JSON.stringify(input.toString());
      if (expected instanceof Buffer) expect(Buffer.from(prepareMessageBytes(input)).equals(expected), label).toBe(true);
      else expect(() => prepareMessageBytes(input), label).toThrow(expect.objectContaining({ code: expected.code }));
    }
  });

  it('answers plain UTF-8 message bytes with a view of them, not a copy', () => {
    const bytes = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<Invoice><Name>測試</Name></Invoice>\n', 'utf8');
    const prepared = prepareMessageBytes(bytes);
    expect(prepared.buffer).toBe(bytes.buffer);
    expect(Buffer.from(prepared).toString('utf8')).toBe('<Invoice><Name>測試</Name></Invoice>');
  });
});

describe('parseEnvelope', () => {
  it('reads back the routing, the pack attributes and each message as spliced', () => {
    const parsed = parseEnvelope(serializeEnvelope(envelope()));
    expect(parsed.routing).toEqual(routing);
    expect(parsed.messageType).toBe('F0401');
    expect(parsed.version).toBe('v41');
    expect(parsed.count).toBe(2);
    expect(parsed.messages).toEqual([prepareMessage(invoiceA).slice(0, -1), prepareMessage(invoiceB).slice(0, -1)]);
  });

  it('round-trips: serializing the parsed messages gives the same bytes', () => {
    const bytes = serializeEnvelope(envelope());
    const parsed = parseEnvelope(bytes);
    expect(serializeEnvelope({ routing: parsed.routing, messageType: parsed.messageType, messages: parsed.messages }).equals(bytes)).toBe(
      true,
    );
  });

  it('decodes escaped routing values', () => {
    const parsed = parseEnvelope(serializeEnvelope(envelope({ routing: { ...routing, from: { id: 'A&B', description: '<x> & "y"' } } })));
    expect(parsed.routing.from).toEqual({ id: 'A&B', description: '<x> & "y"' });
  });

  it('slices messages whose attributes, comments and CDATA hold ">" and "<"', () => {
    const tricky = [
      '<Invoice note="a > b" other=\'&lt;/Invoice> >\'><!-- </Invoice> --><![CDATA[</Invoice><x>]]><Self/></Invoice>',
      '<p:Invoice xmlns:p="urn:x"/>',
      '<Invoice><?pi </Invoice> ?><Main>1 &lt; 2</Main></Invoice>',
    ];
    const parsed = parseEnvelope(serializeEnvelope(envelope({ messages: tricky })));
    expect(parsed.messages).toEqual(tricky);
  });

  it('refuses a count attribute that disagrees with the messages', () => {
    const text = serializeEnvelope(envelope()).toString().replace('count="2"', 'count="3"');
    expect(() => parseEnvelope(text)).toThrow(expect.objectContaining({ code: 'envelope-count' }));
  });

  it('refuses malformed XML, a DOCTYPE, a wrong root and a wrong namespace', () => {
    const good = serializeEnvelope(envelope()).toString();
    const bad = [
      good.replace('</InvoicePack>', ''),
      good.replace('<Main>', '<Main x="1" x="2">'),
      `<!DOCTYPE InvoiceEnvelope>${good}`,
      good.replace(/InvoiceEnvelope/g, 'Other'),
      good.replace('urn:GEINV:InvoiceEnvelope:4.1"', 'urn:other"'),
      good.replace(/<To>[^]*?<\/To>\n/, ''),
      `${good}<Extra/>`,
    ];
    for (const text of bad) {
      expect(() => parseEnvelope(text), text.slice(0, 80)).toThrow(expect.objectContaining({ code: 'envelope-parse' }));
    }
  });
});
