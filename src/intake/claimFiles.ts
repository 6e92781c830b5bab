import { renameSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { intakeFailpoint as failpoint } from './intakeFailpoints.js';
import { fsyncDir } from '../fs/fsyncDir.js';

/** A file still in SRC, to be renamed into WORK under its claim name. */
export interface ClaimRequest {
  /** Bytes for a name that is not UTF-8 (the folder part is UTF-8: intake made it). */
  from: string | Uint8Array;
  to: string;
}

/** Why a file could not be claimed: the errno code (ENOENT: taken away; EBUSY/EPERM…: locked by its writer). */
export interface ClaimRefusal {
  code: string | undefined;
  message: string;
}

/**
 * Claims files: renames each from SRC into WORK, then fsyncs every folder touched once, so that a
 * claim survives a crash before anything is recorded of it (recovery finds it in WORK). Returns,
 * per file, null when claimed or why not. Runs where the files are read (an inspection worker, or
 * intake's own thread), so that the renames do not take turns with recording on intake's thread.
 */
export function claimFiles(requests: ReadonlyArray<ClaimRequest | undefined>): Array<ClaimRefusal | null> {
  const touched = new Set<string>();
  let claimed = 0;
  const results = requests.map((request): ClaimRefusal | null => {
    if (request === undefined) return null; // already in WORK (a file left by a crash)
    const from =
      typeof request.from === 'string' ? request.from : Buffer.from(request.from.buffer, request.from.byteOffset, request.from.byteLength);
    try {
      renameSync(from, request.to);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { code: e.code, message: e.message };
    }
    touched.add(typeof from === 'string' ? dirname(from) : from.subarray(0, from.lastIndexOf(sep)).toString('utf8'));
    touched.add(dirname(request.to));
    if (++claimed === 1) failpoint('mid-claim');
    return null;
  });
  for (const dir of touched) fsyncDir(dir);
  if (claimed > 0) failpoint('after-claim');
  return results;
}
