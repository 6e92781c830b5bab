import { unzipSync, zipSync, type UnzipFileInfo } from 'fflate';
import { TurnkeyError } from '../errors/TurnkeyError.js';
import { MAX_SIGNED_FILE_BYTES } from './armor.js';

const DEFLATE = 8;

/**
 * Why a zipped signed file was refused:
 * - `zip-format`: not a readable ZIP;
 * - `zip-entries`: not exactly one entry;
 * - `zip-method`: the entry is not Deflate-compressed;
 * - `zip-name`: an entry name that is empty or a path;
 * - `zip-too-large`: the entry would unpack past the 20 MiB signed-file limit.
 */
export type ZipErrorCode = 'zip-format' | 'zip-entries' | 'zip-method' | 'zip-name' | 'zip-too-large';

export class ZipError extends TurnkeyError {
  declare readonly code: ZipErrorCode;

  constructor(code: ZipErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
  }
}

/** The one entry of a zipped signed file. */
export interface SignedFileEntry {
  /** The full local signed-file name. */
  name: string;
  /** The armored bytes. */
  content: Buffer;
}

/**
 * Zips a signed file as Turnkey does: one Deflate entry named with the full local signed-file
 * name, holding the armored bytes. `modifiedAt` (default: now) is the entry's time stamp.
 */
export function zipSignedFile(entryName: string, armored: Uint8Array, modifiedAt: Date = new Date()): Buffer {
  checkEntryName(entryName);
  const zipped = zipSync({ [entryName]: [new Uint8Array(armored), { level: 6, mtime: modifiedAt }] });
  return Buffer.from(zipped.buffer, zipped.byteOffset, zipped.byteLength);
}

/** Unzips a signed file, refusing anything but exactly one Deflate entry of at most 20 MiB. */
export function unzipSignedFile(zip: Uint8Array): SignedFileEntry {
  const entries: UnzipFileInfo[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(new Uint8Array(zip), {
      filter(entry) {
        entries.push(entry);
        // Decide before inflating anything: a zip bomb is refused on its declared size.
        return entries.length === 1 && entry.compression === DEFLATE && entry.originalSize <= MAX_SIGNED_FILE_BYTES;
      },
    });
  } catch (cause) {
    throw new ZipError('zip-format', 'the file is not a readable ZIP', { cause });
  }
  if (entries.length !== 1) throw new ZipError('zip-entries', `a zipped signed file holds exactly one entry, not ${entries.length}`);
  const entry = entries[0]!;
  checkEntryName(entry.name);
  if (entry.compression !== DEFLATE) throw new ZipError('zip-method', `the entry is stored with method ${entry.compression}, not Deflate`);
  if (entry.originalSize > MAX_SIGNED_FILE_BYTES) {
    throw new ZipError('zip-too-large', `the entry unpacks to ${entry.originalSize} bytes; the limit is ${MAX_SIGNED_FILE_BYTES}`);
  }
  const content = files[entry.name];
  if (content === undefined || content.length > MAX_SIGNED_FILE_BYTES) {
    throw new ZipError('zip-too-large', `the entry does not unpack to its declared size of at most ${MAX_SIGNED_FILE_BYTES} bytes`);
  }
  return { name: entry.name, content: Buffer.from(content.buffer, content.byteOffset, content.byteLength) };
}

function checkEntryName(name: string): void {
  if (name === '' || /[/\\\0]/.test(name)) {
    throw new ZipError('zip-name', 'the entry name must be a plain file name (no folders)');
  }
}
