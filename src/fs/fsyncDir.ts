import { closeSync, fsyncSync, mkdirSync, openSync, statSync } from 'node:fs';
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
 * until that parent is fsync'd. Each parent is fsync'd once, those of the folders made before a
 * failure too (a retry finds them there and would not). True when anything was created.
 */
export function mkdirDurably(...dirs: string[]): boolean {
  const parents = new Set<string>();
  try {
    for (const dir of dirs) mkdirReturningParents(dir, parents);
  } finally {
    for (const parent of parents) fsyncDir(parent);
  }
  return parents.size > 0;
}

/**
 * Creates `dir` and whatever folders above it are missing, one at a time, adding the parent of each
 * to `parents` as it is made (so that, if a deeper one fails, the caller still fsyncs those); returns
 * `parents`. A folder another process made meanwhile counts as made: nothing says it was fsync'd.
 * Throws what mkdir says when `dir`, or a folder on the way, is a file.
 */
export function mkdirReturningParents(dir: string, parents: Set<string> = new Set()): Set<string> {
  const missing: string[] = [];
  // One stat per level, up to the first folder that is there: a single one in the common case, where
  // `dir` is (DownCast's folder of the day, per results file). A path through a file throws ENOTDIR,
  // from this stat or from the mkdir below, as the version of node has it.
  for (let at = resolve(dir); ; at = dirname(at)) {
    const there = statSync(at, { throwIfNoEntry: false });
    if (there !== undefined) {
      // `dir` itself a file: mkdir's own EEXIST.
      if (missing.length === 0 && !there.isDirectory()) mkdirSync(at);
      break;
    }
    if (dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(folder).isDirectory()) throw err;
    }
    parents.add(dirname(folder));
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
