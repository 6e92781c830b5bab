import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

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

/**
 * Creates `dir` and whatever folders above it are missing, each made durable: a new folder is an
 * entry of its parent, and a power cut loses it, with every file written in it since, until that
 * parent is fsync'd. True when anything was created.
 */
export function mkdirDurably(dir: string): boolean {
  const first = mkdirSync(dir, { recursive: true });
  if (first === undefined) return false;
  // `first` is the topmost folder made: it and every folder below it, down to `dir`, are new.
  const top = resolve(first);
  for (let made = resolve(dir); dirname(made) !== made; made = dirname(made)) {
    fsyncDir(dirname(made));
    if (made === top) break;
  }
  return true;
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
