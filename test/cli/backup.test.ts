import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillStore } from '../../src/bench/fillStore.js';
import { Store } from '../../src/store/Store.js';
import { ensureBuilt } from '../helpers/build.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { writeTestConfig } from '../helpers/testConfig.js';

describe('turnkey backup (spawned)', () => {
  const workspace = tempDir('turnkey-backup-');
  let configFile = '';
  let writer: Store;

  beforeAll(() => {
    ensureBuilt();
    const written = writeTestConfig(workspace.path);
    configFile = written.file;
    // The daemon's connection stays open, its latest changes still in the WAL: the backup must hold them.
    writer = Store.open(written.config.database);
    writer.db.pragma('wal_autocheckpoint = 0');
    fillStore(writer.db, 500, Date.now());
  }, 180_000);
  afterAll(() => {
    writer.close();
    workspace.cleanup();
  });

  it('copies every message while the database is open for writing, owner-only, checked', async () => {
    const file = join(workspace.path, 'backup.db');
    const result = await runCli(['backup', file, '--json', '--config', configFile]);
    expect(result.code, result.stderr).toBe(0);
    const said = JSON.parse(result.stdout) as { file: string; messages: number; bytes: number };
    expect(said).toMatchObject({ file, messages: 500 });
    expect(statSync(file).mode & 0o077).toBe(0);
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(500);
      expect(copy.pragma('user_version', { simple: true })).toBe(writer.db.pragma('user_version', { simple: true }));
    } finally {
      copy.close();
    }
  });

  it('never overwrites a file, and leaves nothing behind when it cannot write', async () => {
    const existing = join(workspace.path, 'taken.db');
    writeFileSync(existing, 'mine');
    const refused = await runCli(['backup', existing, '--config', configFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/exists: a backup never overwrites a file/);
    const nowhere = await runCli(['backup', join(workspace.path, 'no', 'such', 'folder.db'), '--config', configFile]);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/does not exist/);
  });
});
