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
 * Creates each of `dirs` and whatever folders above them are missing, each made durable: a new
 * folder is an entry of its parent, and a power cut loses it, with every file written in it since,
 * until that parent is fsync'd. Each parent is fsync'd once. True when anything was created.
 */
export function mkdirDurably(...dirs: string[]): boolean {
  const parents = new Set(dirs.flatMap(mkdirReturningParents));
  for (const parent of parents) fsyncDir(parent);
  return parents.size > 0;
}

/**
 * Creates `dir` and whatever folders above it are missing; returns the folders that gained an entry
 * (the parent of each new folder), for the caller to fsync, or none when nothing was created.
 */
export function mkdirReturningParents(dir: string): string[] {
  const first = mkdirSync(dir, { recursive: true });
  if (first === undefined) return [];
  // `first` is the topmost folder made: it and every folder below it, down to `dir`, are new.
  const top = resolve(first);
  const parents: string[] = [];
  for (let made = resolve(dir); dirname(made) !== made; made = dirname(made)) {
    parents.push(dirname(made));
    if (made === top) break;
  }
  return parents;
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
