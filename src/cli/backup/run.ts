import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { UsageError } from '../../errors/index.js';
import { fsyncDir, fsyncFile } from '../../fs/fsyncDir.js';
import { Store } from '../../store/Store.js';
import { EXIT } from '../exit.js';

/**
 * `turnkey backup FILE`: the database copied from one read transaction (the daemon goes on writing;
 * its later changes are not in the copy), checked, made durable and only then given its name, so
 * that a file of that name is always a whole backup.
 */
export async function runBackup(file: string, options: { config?: string; json?: boolean }): Promise<void> {
  const config = loadConfig(locateConfig(options.config).path);
  const target = resolve(file);
  if (existsSync(target)) throw new UsageError(`${target} exists: a backup never overwrites a file`, { hint: 'Give a new file name.' });
  if (!existsSync(dirname(target))) throw new UsageError(`the folder ${dirname(target)} does not exist`);
  const started = Date.now();
  // An unguessable name, created empty and owner-only before SQLite fills it (VACUUM INTO takes an empty file):
  // nobody else can have made it first, and the copy of every invoice is never readable by others.
  const partial = `${target}.${randomBytes(6).toString('hex')}.partial`;
  closeSync(openSync(partial, 'wx', 0o600));
  let messages: number;
  try {
    const store = Store.openReadOnly(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
    try {
      store.db.prepare('VACUUM INTO ?').run(partial);
    } catch (err) {
      throw new UsageError(`cannot write the backup ${partial}: ${(err as Error).message}`, {
        cause: err,
        hint: 'Check the free space and that the folder is writable by this user.',
      });
    } finally {
      store.close();
    }
    const copy = new Database(partial, { readonly: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new UsageError(`the backup ${partial} fails SQLite's check: ${String(check)}`);
      messages = copy.prepare('SELECT count(*) FROM messages').pluck().get() as number;
    } finally {
      copy.close();
    }
    fsyncFile(partial);
    // A link never replaces a file: one made meanwhile under the backup's name is kept, and this fails.
    try {
      linkSync(partial, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new UsageError(`${target} exists: a backup never overwrites a file`, { hint: 'Give a new file name.' });
      throw err;
    }
  } finally {
    rmSync(partial, { force: true });
  }
  fsyncDir(dirname(target));
  const result = { file: target, bytes: statSync(target).size, messages, seconds: (Date.now() - started) / 1000 };
  process.stdout.write(
    options.json
      ? `${JSON.stringify(result)}\n`
      : `backed up ${messages} messages (${(result.bytes / 1048576).toFixed(1)} MB) to ${target} in ${result.seconds.toFixed(1)} s\n` +
          'To restore: stop the daemon, delete turnkey.db-wal and turnkey.db-shm, put the backup in place of turnkey.db, start.\n',
  );
  process.exitCode = EXIT.ok;
}
