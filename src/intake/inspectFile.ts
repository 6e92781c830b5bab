import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import type { Transferable } from 'node:worker_threads';
import { claimFiles } from './claimFiles.js';
import { refusedReport, type IntakeRefusalCode, type ValidationReport } from '../validation/types.js';

/** What the validator offers intake (the real `Validator` satisfies it). */
export interface MessageValidator {
  validate(bytes: Uint8Array, options?: { file?: string }): ValidationReport;
}

/** A file to read: its path in WORK and the name it was dropped under. */
export interface FileToInspect {
  path: string;
  name: string;
  /**
   * Where it still is in SRC: it is claimed (renamed to `path`) before it is read. Bytes for a
   * name that is not UTF-8 (it can only be named by its bytes).
   */
  claimFrom?: string | Uint8Array;
}

export type InspectedFile =
  | {
      kind: 'read';
      size: number;
      sha256: string;
      /** null when the file is over the size limit (hashed, never held in memory). */
      bytes: Uint8Array | null;
      report: ValidationReport;
      /** Set when the validator threw (the file is refused with `validator-failure`): for the log. */
      validatorError?: string;
    }
  /** The file could not be read (`code` is the errno code, e.g. ENOENT or EBUSY). */
  | { kind: 'unreadable'; code: string | undefined; message: string }
  /** The file could not be claimed from SRC (gone, or locked by its writer): it is not ours. */
  | { kind: 'unclaimed'; code: string | undefined; message: string };

const HASH_CHUNK = 1024 * 1024;

/** The SHA-256 of nothing: what is recorded for an entry that was never read. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * A file is opened without following a link (a link in SRC could otherwise make the daemon, often
 * root, read any file of the machine) and without waiting for a writer (a FIFO would block the
 * thread forever). Windows has neither flag: there the entry is looked at (lstat) first.
 */
const NO_FOLLOW = constants.O_NOFOLLOW as number | undefined;
const OPEN_FLAGS = constants.O_RDONLY | (NO_FOLLOW ?? 0) | ((constants.O_NONBLOCK as number | undefined) ?? 0);

/** What open() answers for an entry that is not a regular file: a link (ELOOP), a socket (ENXIO), a folder. */
const NOT_A_FILE_ERRORS = new Set(['ELOOP', 'EMLINK', 'ENXIO', 'EISDIR', 'EOPNOTSUPP']);

/**
 * Claims the files still in SRC (see claimFiles), then inspects each claimed one; a file that could
 * not be claimed is answered `unclaimed`, in its place.
 */
export function inspectFiles(files: readonly FileToInspect[], validator: MessageValidator, maxBytes: number): InspectedFile[] {
  const refusals = claimFiles(files.map((f) => (f.claimFrom === undefined ? undefined : { from: f.claimFrom, to: f.path })));
  return files.map((file, i) => {
    const refusal = refusals[i];
    return refusal ? { kind: 'unclaimed', code: refusal.code, message: refusal.message } : inspectFile(file, validator, maxBytes);
  });
}

/**
 * Reads a claimed file once, hashes it and validates it. Never throws for the file's sake: an
 * unreadable file and a validator that threw are both answers. Runs on intake's thread or in an
 * inspection worker (the same code either way). The bytes get a buffer of their own, so they can
 * be moved between threads.
 */
export function inspectFile(file: FileToInspect, validator: MessageValidator, maxBytes: number): InspectedFile {
  if (NO_FOLLOW === undefined) {
    const kind = entryKind(file.path);
    if (kind !== null && kind !== 'file') return notAFile(file.name, kind);
  }
  let fd: number;
  try {
    fd = openSync(file.path, OPEN_FLAGS);
  } catch (err) {
    const kind = NOT_A_FILE_ERRORS.has((err as NodeJS.ErrnoException).code ?? '') ? entryKind(file.path) : null;
    return kind !== null && kind !== 'file' ? notAFile(file.name, kind) : unreadable(err);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return notAFile(file.name, kindOf(stats));
    // Another name of the same file (placed by whoever can write SRC) could change it after it was taken and checked.
    if (stats.nlink > 1) return notAFile(file.name, 'hard link');
    const size = stats.size;
    if (size > maxBytes) {
      return { kind: 'read', size, sha256: hashOpenFile(fd), bytes: null, report: tooLargeReport(file.name, size, maxBytes) };
    }
    const bytes = Buffer.allocUnsafeSlow(size);
    let offset = 0;
    while (offset < size) {
      const n = readSync(fd, bytes, offset, size - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    const content = offset === size ? bytes : bytes.subarray(0, offset);
    const sha256 = createHash('sha256').update(content).digest('hex');
    try {
      return { kind: 'read', size: content.length, sha256, bytes: content, report: validator.validate(content, { file: file.name }) };
    } catch (err) {
      // The validator promises never to throw on bad input; if it does, the file must not block
      // intake forever: it is refused with a code that says so.
      const message = (err as Error).message;
      const report = refusal(
        file.name,
        'validator-failure',
        `the validator failed on this file (${message}); please report it to the turnkey maintainers`,
      );
      return { kind: 'read', size: content.length, sha256, bytes: content, report, validatorError: message };
    }
  } catch (err) {
    return unreadable(err);
  } finally {
    closeSync(fd);
  }
}

/** The buffers of a worker's answers, to move rather than copy back. */
export function transferablesOf(inspected: readonly InspectedFile[]): Transferable[] {
  const out: Transferable[] = [];
  for (const item of inspected) if (item.kind === 'read' && item.bytes) out.push(item.bytes.buffer as ArrayBuffer);
  return out;
}

/**
 * A file that stayed unreadable (the daemon's user may not read it): refused, so that it leaves
 * WORK for ERR with a report instead of being retried forever. Nothing of it was read.
 */
export function refusedAsUnreadable(name: string, code: string | undefined): InspectedFile {
  const report = refusal(
    name,
    'unreadable',
    `the daemon cannot read this file (${code ?? 'error'}): give the user that runs turnkey read permission on the files the ERP writes ` +
      `(or set the ERP's umask), then drop it again`,
  );
  return { kind: 'read', size: 0, sha256: EMPTY_SHA256, bytes: null, report };
}

type EntryKind = 'file' | 'symbolic link' | 'hard link' | 'folder' | 'FIFO (named pipe)' | 'socket' | 'device';

function notAFile(name: string, kind: EntryKind): InspectedFile {
  const why =
    kind === 'symbolic link'
      ? 'a symbolic link: links are never followed (the daemon would read whatever it points to)'
      : kind === 'hard link'
        ? 'a file with another name elsewhere (a hard link): it could be changed through that name after it was checked'
        : `a ${kind}, not a regular file`;
  const report = refusal(name, 'not-a-file', `this entry of SRC is ${why}; drop the message itself, as a regular file`);
  return { kind: 'read', size: 0, sha256: EMPTY_SHA256, bytes: null, report };
}

function refusal(name: string, code: IntakeRefusalCode, message: string): ValidationReport {
  return refusedReport(name, [{ code, message, line: null, path: null }]);
}

/** What an entry is, without following a link; null when it cannot be looked at. */
function entryKind(path: string): EntryKind | null {
  try {
    return kindOf(lstatSync(path));
  } catch {
    return null;
  }
}

function kindOf(stats: Stats): EntryKind {
  if (stats.isFile()) return 'file';
  if (stats.isSymbolicLink()) return 'symbolic link';
  if (stats.isDirectory()) return 'folder';
  if (stats.isFIFO()) return 'FIFO (named pipe)';
  if (stats.isSocket()) return 'socket';
  return 'device';
}

function unreadable(err: unknown): InspectedFile {
  const e = err as NodeJS.ErrnoException;
  return { kind: 'unreadable', code: e.code, message: e.message };
}

function hashOpenFile(fd: number): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(HASH_CHUNK);
  let position = 0;
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, position);
    if (n === 0) break;
    hash.update(chunk.subarray(0, n));
    position += n;
  }
  return hash.digest('hex');
}

function tooLargeReport(name: string, size: number, limit: number): ValidationReport {
  return refusedReport(name, [
    { code: 'too-large', message: `the file is ${size} bytes; the limit (validation.maxBytes) is ${limit}`, line: null, path: null },
  ]);
}
