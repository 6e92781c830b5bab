import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * Writes a file so that no reader ever sees it half-written: into a private folder first, synced,
 * then renamed into place (a rename within one file system is atomic). An existing file of the
 * same name is replaced.
 */
export function publishFile(stagingDir: string, target: string, bytes: Uint8Array): void {
  const temp = join(stagingDir, `${randomUUID()}.tmp`);
  const fd = openSync(temp, 'w', 0o644);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, target);
}
