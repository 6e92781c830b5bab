import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../../errors/index.js';
import type { ValidationReport } from '../../validation/types.js';

/**
 * Reads a file whole, synchronously (in a validation thread, a call into the thread pool per file
 * cost more than the read), or as many zero bytes as it is long when it is over the limit: the
 * validator then says `too-large` without its content ever being read.
 */
export function readForValidation(file: string, maxBytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return Buffer.alloc(size);
    const bytes = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, null);
      if (n === 0) break;
      read += n;
    }
    return read === size ? bytes : bytes.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Reads and validates files in order; stops at the first that cannot be read, and says which. */
export function validateFiles(
  validator: { validate(bytes: Uint8Array, options: { file: string }): ValidationReport },
  files: readonly string[],
  maxBytes: number | undefined,
): { reports: ValidationReport[]; unreadable: { file: string; message: string } | null } {
  const reports: ValidationReport[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readForValidation(file, maxBytes ?? Number.MAX_SAFE_INTEGER);
    } catch (err) {
      return { reports, unreadable: { file, message: (err as Error).message } };
    }
    reports.push(validator.validate(bytes, { file }));
  }
  return { reports, unreadable: null };
}

/** A file that could not be read ends the command: a usage error naming it (exit 2). */
export function refuseUnreadable(unreadable: { file: string; message: string } | null | undefined): void {
  if (unreadable) throw new UsageError(`cannot read ${unreadable.file}: ${unreadable.message}`);
}
