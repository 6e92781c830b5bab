import { closeSync, fsyncSync, openSync } from 'node:fs';

/**
 * Makes the renames into and out of a folder durable. Windows cannot open a folder for fsync (and
 * NTFS journals its metadata), so there it is skipped.
 */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a file's content durable (ERR reports, written just before). */
export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
