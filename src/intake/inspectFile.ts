import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Transferable } from 'node:worker_threads';
import { claimFiles } from './claimFiles.js';
import { refusedReport, type FindingCode, type ValidationReport } from '../validation/types.js';

/** What the validator offers intake (the real `Validator` satisfies it). */
export interface MessageValidator {
  validate(bytes: Uint8Array, options?: { file?: string }): ValidationReport;
}

/** A file to read: its path in WORK and the name it was dropped under. */
export interface FileToInspect {
  path: string;
  name: string;
  /** Where it still is in SRC: it is claimed (renamed to `path`) before it is read. */
  claimFrom?: string;
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

/** Intake's own code for a file the validator threw on (not one of the validator's codes). */
const VALIDATOR_FAILURE = 'validator-failure' as FindingCode;

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
  let fd: number;
  try {
    fd = openSync(file.path, 'r');
  } catch (err) {
    return unreadable(err);
  }
  try {
    const size = fstatSync(fd).size;
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
      const report = refusedReport(file.name, [
        { code: VALIDATOR_FAILURE, message: `the validator failed on this file (${message}); please report it to the turnkey maintainers`, line: null, path: null },
      ]);
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
  return refusedReport(name, [{ code: 'too-large', message: `the file is ${size} bytes; the limit (validation.maxBytes) is ${limit}`, line: null, path: null }]);
}
