import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from './fsyncDir.js';

/** Writes `bytes` to `path` (created or truncated) and fsyncs the file before returning. */
export function writeSyncedFile(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a file so that, after a crash, it is either absent or whole: a temporary name, fsync,
 * rename, fsync of the folder. An existing file of the same name is replaced (callers that must
 * never overwrite check first).
 */
export function writeFileDurably(dir: string, name: string, bytes: Uint8Array): string {
  const target = join(dir, name);
  const temp = join(dir, `.${name}.${process.pid}.tmp`);
  writeSyncedFile(temp, bytes);
  renameSync(temp, target);
  fsyncDir(dir);
  return target;
}
