import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
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
  const partial = `${target}.partial-${process.pid}`;
  // The copy holds every invoice: created readable by its owner only.
  const umask = process.umask(0o077);
  const store = Store.openReadOnly(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    store.db.prepare('VACUUM INTO ?').run(partial);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new UsageError(`cannot write the backup ${partial}: ${(err as Error).message}`, {
      cause: err,
      hint: 'Check the free space and that the folder is writable by this user.',
    });
  } finally {
    store.close();
    process.umask(umask);
  }
  let messages: number;
  const copy = new Database(partial, { readonly: true });
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new UsageError(`the backup ${partial} fails SQLite's check: ${String(check)}`);
    messages = copy.prepare('SELECT count(*) FROM messages').pluck().get() as number;
  } finally {
    copy.close();
  }
  fsyncFile(partial);
  renameSync(partial, target);
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
