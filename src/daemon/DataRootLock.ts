import { join } from 'node:path';
import { mkdirDurably } from '../fs/fsyncDir.js';
import Database from '../sqlite/Database.js';
import { DataRootLockedError } from './DataRootLockedError.js';

export { DataRootLockedError };

export const LOCK_FILE_NAME = '.turnkey.lock';

/**
 * One daemon per data root. The lock is an exclusive SQLite lock on `<dataRoot>/.turnkey.lock`:
 * an operating-system file lock (fcntl on POSIX, LockFileEx on Windows) that the kernel releases
 * when the process ends in any way, kill -9 included, so a crash never leaves a stale lock.
 */
export class DataRootLock {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  /** Takes the lock at once or throws `data-root-locked`; `holder` describes who has it, for the message. */
  static acquire(dataRoot: string, holder: () => string | undefined = () => undefined): DataRootLock {
    mkdirDurably(dataRoot);
    const path = join(dataRoot, LOCK_FILE_NAME);
    const db = new Database(path, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      // A write under EXCLUSIVE locking mode takes the file lock and keeps it until close.
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, at INTEGER NOT NULL)');
      db.exec('BEGIN EXCLUSIVE');
      db.prepare('DELETE FROM holder').run();
      db.prepare('INSERT INTO holder (pid, at) VALUES (?, ?)').run(process.pid, Date.now());
      db.exec('COMMIT');
    } catch (err) {
      db.close();
      const code = (err as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
        const who = holder();
        throw new DataRootLockedError(
          `another turnkey daemon is already running on the data root ${dataRoot}${who ? ` (${who})` : ''}`,
          'Stop it first (or use another data root); `turnkey status` shows the running daemon.',
        );
      }
      throw err;
    }
    return new DataRootLock(db, path);
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}
