import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirDurably } from '../fs/fsyncDir.js';
import { removeStaleTemps, writeFileDurably } from '../fs/writeFileDurably.js';

export type Publication =
  /** Published now. */
  | { kind: 'new'; path: string; sha256: string }
  /** The same bytes were already there: received before (a crash after publishing, or a repeat). */
  | { kind: 'already'; path: string; sha256: string }
  /** Different bytes under the same name: kept beside it, never overwriting, and reported. */
  | { kind: 'conflict'; path: string; conflictPath: string; sha256: string };

/**
 * The local folder results and inbound files are received into. A file is published under its
 * remote name only whole (temp, fsync, rename, fsync of the folder) and never overwrites: identical
 * bytes mean it was received already; different bytes are a conflict kept under another name.
 */
export class ResultInbox {
  constructor(readonly dir: string) {
    mkdirDurably(dir);
    // A download published halfway (the process killed between writing and renaming) is taken again.
    removeStaleTemps(dir);
  }

  publish(remoteName: string, bytes: Buffer): Publication {
    if (!/^[\w.@+-]+$/.test(remoteName) || remoteName.startsWith('.')) {
      throw new Error(`refusing to receive a file named ${JSON.stringify(remoteName)}: not a plain file name`);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = join(this.dir, remoteName);
    if (existsSync(path)) {
      const existing = readFileSync(path);
      if (existing.equals(bytes)) return { kind: 'already', path, sha256 };
      const conflictName = `${remoteName}.conflict-${sha256.slice(0, 12)}`;
      const conflictPath = existsSync(join(this.dir, conflictName))
        ? join(this.dir, conflictName)
        : writeFileDurably(this.dir, conflictName, bytes);
      return { kind: 'conflict', path, conflictPath, sha256 };
    }
    return { kind: 'new', path: writeFileDurably(this.dir, remoteName, bytes), sha256 };
  }
}
