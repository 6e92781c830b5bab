import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { armor } from '../../src/protocol/armor.js';
import { unzipSignedFile, ZipError, zipSignedFile } from '../../src/protocol/zip.js';

const NAME = 'erp_batch_0001.xml_12345678_0000000000_4.1-F0401-20260824-141623456-550e8400-e29b-41d4-a716-446655440000_27';
const ARMORED = armor(Buffer.from('pretend this is CMS '.repeat(50)));

function expectZipError(run: () => unknown, code: ZipError['code']): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ZipError);
    expect((error as ZipError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('zipSignedFile / unzipSignedFile', () => {
  it('round-trips one Deflate entry named with the full signed-file name', () => {
    const zip = zipSignedFile(NAME, ARMORED);
    expect(zip.subarray(0, 4).toString('hex')).toBe('504b0304'); // local file header
    expect(zip.readUInt16LE(8)).toBe(8); // compression method: Deflate
    expect(zip.length).toBeLessThan(ARMORED.length);
    const entry = unzipSignedFile(zip);
    expect(entry.name).toBe(NAME);
    expect(entry.content.equals(ARMORED)).toBe(true);
  });

  it('refuses a ZIP with no entry or with two', () => {
    expectZipError(() => unzipSignedFile(zipSync({})), 'zip-entries');
    expectZipError(() => unzipSignedFile(zipSync({ a: new Uint8Array(ARMORED), b: new Uint8Array(ARMORED) })), 'zip-entries');
  });

  it('refuses a stored (uncompressed) entry, a folder name, and bytes that are not a ZIP', () => {
    expectZipError(() => unzipSignedFile(zipSync({ [NAME]: [new Uint8Array(ARMORED), { level: 0 }] })), 'zip-method');
    expectZipError(() => unzipSignedFile(zipSync({ 'dir/file': new Uint8Array(ARMORED) })), 'zip-name');
    expectZipError(() => unzipSignedFile(Buffer.from('not a zip')), 'zip-format');
    expectZipError(() => zipSignedFile('a/b', ARMORED), 'zip-name');
  });
});
