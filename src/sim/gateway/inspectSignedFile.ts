import { parseSignedFileName } from '../../protocol/names.js';
import { unzipSignedFile, ZipError } from '../../protocol/zip.js';
import { GatewayRefusal } from './GatewayAnswer.js';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** Enough armored lines (64 characters → 48 bytes each) to hold the CMS header and the envelope's head. */
const HEAD_LINES = 160;
/** How much of a plain (unzipped) file the gateway reads: the head lines. */
export const SIGNED_FILE_HEAD_BYTES = HEAD_LINES * 65;

/** An uploaded file as the gateway sees it: its size, its first bytes, and the whole when needed. */
export interface UploadedFile {
  size: number;
  /** At least the first `SIGNED_FILE_HEAD_BYTES` bytes (all of a smaller file). */
  head: Buffer;
  readWhole: () => Buffer;
}

export interface SignedFileFacts {
  /** The armored size (of the entry, when zipped). */
  armoredSize: number;
  /** The InvoicePack count read from the head of the signed content, or null when it cannot be read there. */
  declaredCount: number | null;
}

/**
 * What the gateway can tell about an uploaded file before queueing it: that `zip` describes it
 * (a ZIP of one entry named as the local signed file of this common name, or not a ZIP at all),
 * its armored size, and the message count its envelope declares. The count is read from the
 * first lines only (the envelope's head sits at the start of the signed content); whether the
 * signature holds is the processing's business, and its verdict goes into the results.
 */
export function inspectSignedFile(
  file: UploadedFile,
  notice: { zip: '0' | '1'; size: number; quantity: number; filename: string },
): SignedFileFacts | GatewayRefusal {
  const looksZipped = file.head.subarray(0, 4).equals(ZIP_MAGIC);
  let armoredHead = file.head;
  let armoredSize = file.size;
  if (notice.zip === '1') {
    if (!looksZipped) return new GatewayRefusal('zip-mismatch', 'zip is "1" but the file is not a ZIP', ['zip']);
    let entryName: string;
    try {
      const entry = unzipSignedFile(file.readWhole());
      armoredHead = entry.content;
      armoredSize = entry.content.length;
      entryName = entry.name;
    } catch (error) {
      if (error instanceof ZipError)
        return new GatewayRefusal('zip-mismatch', `the ZIP is not a zipped signed file: ${error.message}`, ['zip']);
      throw error;
    }
    let entryCommonName: string | null;
    try {
      entryCommonName = parseSignedFileName(entryName).commonName;
    } catch {
      entryCommonName = null;
    }
    if (entryCommonName !== notice.filename) {
      return new GatewayRefusal('zip-mismatch', `the ZIP entry "${entryName}" is not the signed file of ${notice.filename}`, [
        'zip',
        entryName,
      ]);
    }
  } else if (looksZipped) {
    return new GatewayRefusal('zip-mismatch', 'zip is "0" but the file is a ZIP', ['zip']);
  }

  if (armoredSize !== notice.size) {
    return new GatewayRefusal('size-mismatch', `size is ${notice.size} but the armored file has ${armoredSize} bytes`, [
      'size',
      String(armoredSize),
    ]);
  }
  const declaredCount = readDeclaredCount(armoredHead);
  if (declaredCount !== null && declaredCount !== notice.quantity) {
    return new GatewayRefusal('quantity-mismatch', `quantity is ${notice.quantity} but the envelope holds ${declaredCount} messages`, [
      'quantity',
      String(declaredCount),
    ]);
  }
  return { armoredSize, declaredCount };
}

function readDeclaredCount(armored: Buffer): number | null {
  const head = armored.subarray(0, SIGNED_FILE_HEAD_BYTES).toString('latin1');
  const lines = head.split('\n');
  // Only whole lines decode cleanly; the last piece may be cut.
  if (lines.length > HEAD_LINES) lines.length = HEAD_LINES;
  const base64 = lines.join('');
  const usable = base64.slice(0, base64.length - (base64.length % 4));
  const text = Buffer.from(usable, 'base64').toString('latin1');
  const match = /<InvoicePack\s[^>]*?\bcount="(\d+)"/.exec(text);
  return match ? Number(match[1]) : null;
}
