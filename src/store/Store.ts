import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { mkdirDurably } from '../fs/fsyncDir.js';
import Database from '../sqlite/Database.js';
import { LATEST_VERSION, migrate } from './migrations.js';
import { StoreError } from './StoreError.js';

export interface StoreOptions {
  busyTimeoutMs?: number;
}

/**
 * Page size of a new database. SQLite appends WAL frames a page at a time (a system call or two
 * each), and intake's and sending's commits touch runs of consecutive rows: with 16 KiB pages a
 * 500-file intake batch takes a quarter of the writes it takes with the default 4 KiB (measured:
 * the store's work per file 40 -> 34 us). A database created earlier keeps its page size
 * (changing it means a VACUUM).
 */
const NEW_DATABASE_PAGE_SIZE = 16384;

/**
 * The SQLite database: WAL (readers such as `turnkey status` never block the daemon),
 * synchronous=FULL (a commit is on disk when it returns), foreign keys on, a busy timeout. Opened
 * for writing it is migrated to the latest schema; opened read-only it is only checked.
 */
export class Store {
  readonly db: Database.Database;
  readonly path: string;
  readonly readonly: boolean;

  private constructor(db: Database.Database, path: string, readonly: boolean) {
    this.db = db;
    this.path = path;
    this.readonly = readonly;
  }

  static open(path: string, options: StoreOptions = {}): Store {
    let db: Database.Database;
    try {
      mkdirDurably(dirname(path));
      db = new Database(path);
    } catch (cause) {
      throw new StoreError('store-open', `cannot open the database ${path}: ${(cause as Error).message}`, {
        cause,
        hint: 'Check that the folder exists and is writable by the user running turnkey.',
      });
    }
    try {
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      // Takes effect only while the file is still empty, so before anything (WAL mode included) is written.
      db.pragma(`page_size = ${NEW_DATABASE_PAGE_SIZE}`);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') {
        throw new StoreError('store-open', `the database ${path} cannot use WAL mode (got ${String(mode)})`, {
          hint: 'Put the database on a local disk (the `database` key): SQLite WAL does not work on network shares.',
        });
      }
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError('store-open', `cannot set up the database ${path}: ${(err as Error).message}`, { cause: err });
    }
    return new Store(db, path, false);
  }

  /** For readers (status): never writes, never migrates, never blocks the daemon. */
  static openReadOnly(path: string, options: StoreOptions = {}): Store {
    if (!existsSync(path)) {
      throw new StoreError('store-not-found', `no database at ${path}`, {
        hint: 'Run `turnkey init` to create one, or `turnkey start` once; check the `database` key of the configuration.',
      });
    }
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    } catch (cause) {
      throw new StoreError('store-open', `cannot open the database ${path} for reading: ${(cause as Error).message}`, { cause });
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > LATEST_VERSION) {
      db.close();
      throw new StoreError(
        'store-too-new',
        `the database ${path} has schema version ${version}; this turnkey knows up to ${LATEST_VERSION}`,
        {
          hint: 'Use the turnkey version that runs the daemon.',
        },
      );
    }
    if (version === 0) {
      db.close();
      throw new StoreError('store-not-found', `the database ${path} has no turnkey schema yet`, {
        hint: 'Start the daemon once (`turnkey start`) or run `turnkey init`.',
      });
    }
    return new Store(db, path, true);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
