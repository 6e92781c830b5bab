import { closeSync, existsSync, fchmodSync, fsyncSync, linkSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from './fsyncDir.js';
import { processExists } from './processExists.js';

/**
 * Writes `bytes` to `path` (created or truncated) and fsyncs the file before returning. With
 * `mode`, the file has that mode from its first byte on (also when it existed with another).
 */
export function writeSyncedFile(path: string, bytes: Uint8Array, mode?: number): void {
  const fd = openSync(path, 'w', mode);
  try {
    if (mode !== undefined && process.platform !== 'win32') fchmodSync(fd, mode);
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
export function writeFileDurably(dir: string, name: string, bytes: Uint8Array, options: { mode?: number } = {}): string {
  const target = join(dir, name);
  const temp = join(dir, `.${name}.${process.pid}.tmp`);
  writeSyncedFile(temp, bytes, options.mode);
  renameSync(temp, target);
  fsyncDir(dir);
  return target;
}

/**
 * Like writeFileDurably, but never replaces a file: when `name` exists already (another process
 * made it first, even a moment ago), nothing is written and the answer is false. The whole file
 * appears at once under its name (a hard link of the synced temporary file), so a reader never
 * sees it half written. On a file system without hard links (FAT, some network shares) it falls
 * back to checking first and renaming, which two writers at the same instant could both pass.
 * Not for a folder intake watches: for a moment the file has two names, and intake refuses those.
 */
export function createFileDurably(dir: string, name: string, bytes: Uint8Array, options: { mode?: number } = {}): boolean {
  const target = join(dir, name);
  const temp = join(dir, `.${name}.${process.pid}.tmp`);
  rmSync(temp, { force: true }); // a fresh inode: a temporary name left by a killed process may still be a second name of the file
  writeSyncedFile(temp, bytes, options.mode);
  try {
    linkSync(temp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    if (existsSync(target)) return false;
    renameSync(temp, target);
    fsyncDir(dir);
    return true;
  } finally {
    rmSync(temp, { force: true });
  }
  fsyncDir(dir);
  return true;
}

/** The temporary name writeFileDurably uses: `.<name>.<pid>.tmp`. */
const TEMP_NAME = /^\..+\.(\d+)\.tmp$/;

/**
 * Removes the temporary files that a process killed between writing and renaming left in `dir`
 * (the whole file is written again by whoever owns it). Only those of processes that no longer
 * exist: this process's, and a running command's (`turnkey tracks blank` beside the daemon), are
 * in flight. Returns how many were removed.
 */
export function removeStaleTemps(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const pid = Number(TEMP_NAME.exec(name)?.[1] ?? Number.NaN);
    if (Number.isNaN(pid) || pid === process.pid || processExists(pid)) continue;
    rmSync(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
