import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { f0401Xml, f0401XmlWithWrongTotal, invoiceNumber } from './f0401.js';

/**
 * What a careless ERP or a hostile local user can put into a SRC folder: one reusable set, so
 * that every test that probes intake (and the proof issue's fuzzing) drops the same things. Each
 * entry says what the daemon must make of it: a message refused with its own code (filed in ERR
 * with a report), or a valid message under an odd name (confirmed like any other).
 */
export interface HostileEntry {
  /** What it is, for test names. */
  what: string;
  /** Creates it in `src`; `outside` is a folder outside the data root (for links to point at). */
  create(src: string, outside: string): void;
  outcome: { refused: string } | { valid: string };
}

/** An F0401 in plain ASCII, so that its UTF-16/UTF-32 forms are valid UTF-8 byte for byte (with NULs between). */
function asciiInvoice(n: number, broken = false): string {
  const spec = { number: invoiceNumber(n, 'HX'), sellerName: 'Good Coffee Ltd', buyerName: 'Buyer Co' };
  return (broken ? f0401XmlWithWrongTotal(spec) : f0401Xml(spec)).replace(/^<\?xml[^>]*\?>\s*/, '');
}

const invoice = (n: number): string => f0401Xml({ number: invoiceNumber(n, 'HX') });

/** Numbers 9001..: valid messages of the set are HX00009001 and up. */
export function hostileEntries(): HostileEntry[] {
  return [
    {
      what: 'UTF-16 without a byte-order mark, breaking amount-total',
      create: (src) =>
        writeFileSync(join(src, 'utf16-no-bom.xml'), Buffer.from(`<?xml version="1.0"?>${asciiInvoice(9100, true)}`, 'utf16le')),
      outcome: { refused: 'encoding' },
    },
    {
      what: 'UTF-16 with a byte-order mark',
      create: (src) =>
        writeFileSync(join(src, 'utf16-bom.xml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(asciiInvoice(9101), 'utf16le')])),
      outcome: { refused: 'encoding' },
    },
    {
      what: 'UTF-32 without a byte-order mark',
      create: (src) => writeFileSync(join(src, 'utf32.xml'), utf32le(asciiInvoice(9102))),
      outcome: { refused: 'encoding' },
    },
    {
      what: 'UTF-32 with a DOCTYPE and an entity (libxml2 crashed on it)',
      create: (src) =>
        writeFileSync(
          join(src, 'utf32-dtd.xml'),
          utf32le(`<!DOCTYPE Invoice [<!ENTITY e "x">]>${asciiInvoice(9103).replace('Buyer Co', '&e;')}`),
        ),
      outcome: { refused: 'encoding' },
    },
    {
      what: 'a NUL byte after the root element',
      create: (src) => writeFileSync(join(src, 'nul-byte.xml'), Buffer.concat([Buffer.from(invoice(9104)), Buffer.from([0])])),
      outcome: { refused: 'encoding' },
    },
    {
      what: 'a valid invoice under a 240-byte name',
      create: (src) => writeFileSync(join(src, `${'n'.repeat(236)}.xml`), invoice(9001)),
      outcome: { valid: invoiceNumber(9001, 'HX') },
    },
    {
      what: 'a valid invoice whose name holds a backslash, a colon and a question mark',
      create: (src) => writeFileSync(join(src, 'erp\\out:1?.xml'), invoice(9002)),
      outcome: { valid: invoiceNumber(9002, 'HX') },
    },
    {
      what: 'a valid invoice under a Big5 name (a Windows share)',
      create: (src) =>
        writeFileSync(Buffer.concat([Buffer.from(`${src}/`), Buffer.from([0xb5, 0x6f, 0xb2, 0xbc]), Buffer.from('.xml')]), invoice(9003)),
      outcome: { valid: invoiceNumber(9003, 'HX') },
    },
    {
      what: 'a valid invoice under a name with a leading dash and spaces',
      create: (src) => writeFileSync(join(src, '-rf  invoice 4.xml'), invoice(9004)),
      outcome: { valid: invoiceNumber(9004, 'HX') },
    },
    {
      what: 'a symbolic link to a valid invoice outside the data root',
      create: (src, outside) => {
        writeFileSync(join(outside, 'elsewhere.xml'), invoice(9105));
        symlinkSync(join(outside, 'elsewhere.xml'), join(src, 'link-to-file.xml'));
      },
      outcome: { refused: 'not-a-file' },
    },
    {
      what: 'a symbolic link to a folder',
      create: (src, outside) => symlinkSync(outside, join(src, 'link-to-folder.xml')),
      outcome: { refused: 'not-a-file' },
    },
    {
      what: 'a dangling symbolic link',
      create: (src, outside) => symlinkSync(join(outside, 'nothing-here.xml'), join(src, 'dangling.xml')),
      outcome: { refused: 'not-a-file' },
    },
    {
      what: 'a hard link to a valid invoice outside the data root',
      create: (src, outside) => {
        writeFileSync(join(outside, 'linked.xml'), invoice(9106));
        linkSync(join(outside, 'linked.xml'), join(src, 'hard-link.xml'));
      },
      outcome: { refused: 'not-a-file' },
    },
    {
      what: 'a FIFO',
      create: (src) => mkfifo(join(src, 'pipe.xml')),
      outcome: { refused: 'not-a-file' },
    },
    {
      what: 'a folder named *.xml',
      create: (src) => mkdirSync(join(src, 'folder.xml')),
      outcome: { refused: 'not-a-file' },
    },
  ];
}

function utf32le(text: string): Buffer {
  const out = Buffer.alloc(text.length * 4);
  for (let i = 0; i < text.length; i++) out.writeUInt32LE(text.charCodeAt(i), i * 4);
  return out;
}

/** node:fs has no mkfifo; the coreutils one is on every POSIX machine. */
function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}
