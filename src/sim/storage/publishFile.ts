import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { writeSyncedFile } from '../../fs/writeFileDurably.js';

/**
 * Writes a file so that no reader ever sees it half-written: into a private folder first, synced,
 * then renamed into place (a rename within one file system is atomic). An existing file of the
 * same name is replaced.
 */
export function publishFile(stagingDir: string, target: string, bytes: Uint8Array): void {
  const temp = join(stagingDir, `${randomUUID()}.tmp`);
  writeSyncedFile(temp, bytes);
  renameSync(temp, target);
}
