import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonLifecycle } from '../../src/store/DaemonLifecycle.js';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../../src/store/migrations.js';
import { MessageBytes } from '../../src/store/MessageBytes.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { Store } from '../../src/store/Store.js';
import { StoreError } from '../../src/store/StoreError.js';
import { tempDir } from '../helpers/tempDir.js';
import { newMessage } from '../helpers/messages.js';

describe('Store', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  function fresh(): { dir: string; path: string } {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    return { dir: dir.path, path: join(dir.path, 'db', 'turnkey.db') };
  }

  it('opens in WAL mode with synchronous FULL, foreign keys on and a busy timeout', () => {
    const { path } = fresh();
    const store = Store.open(path, { busyTimeoutMs: 1234 });
    cleanups.unshift(() => store.close());
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(1234);
  });

  it('creates a new database with 16 KiB pages and leaves an existing one at its own page size', () => {
    const created = fresh();
    const store = Store.open(created.path);
    cleanups.unshift(() => store.close());
    expect(store.db.pragma('page_size', { simple: true })).toBe(16384);

    const existing = fresh();
    mkdirSync(dirname(existing.path), { recursive: true });
    const old = new Database(existing.path);
    old.exec('CREATE TABLE earlier (x)');
    old.close();
    const reopened = Store.open(existing.path);
    cleanups.unshift(() => reopened.close());
    expect(reopened.db.pragma('page_size', { simple: true })).toBe(4096);
    expect(reopened.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
  });

  it('applies each migration once and records the schema version', () => {
    const { path } = fresh();
    Store.open(path).close();
    const db = new Database(path);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(migrate(db)).toEqual([]);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'messages',
        'message_events',
        'intake_files',
        'message_bytes',
        'daemon_lifecycle',
        'TURNKEY_MESSAGE_LOG',
        'TURNKEY_MESSAGE_LOG_DETAIL',
      ]),
    );
    db.close();
  });

  it('runs a later migration on an existing database without touching its rows', () => {
    const { path } = fresh();
    const store = Store.open(path);
    new MessageTransitions(store.db).receive(newMessage(1));
    store.close();
    const db = new Database(path);
    const next = { version: LATEST_VERSION + 1, name: 'test: add a table', sql: 'CREATE TABLE test_later_table (id INTEGER PRIMARY KEY)' };
    expect(migrate(db, [...MIGRATIONS, next])).toEqual([LATEST_VERSION + 1]);
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
    db.close();
  });

  it('moves kept bytes from their hash to their message when upgrading a version 3 database', () => {
    const { path } = fresh();
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 3),
    );
    const sha256 = newMessage(1).sha256;
    // Rows as version 3 wrote them (today's MessageTransitions writes columns added since).
    const insert = db.prepare(`
      INSERT INTO messages (uuid, message_type, category, message_key, holds_key, sha256, size, source_name, state, received_at,
        state_changed_at, bytes_kept)
      VALUES (?, 'F0401', 'B2SSTORAGE', ?, ?, ?, 9, 'a.xml', 'queued', 1, 1, ?)`);
    const row = (n: number, holdsKey: number, bytesKept: number): number =>
      Number(insert.run(`uuid-${n}`, newMessage(n).messageKey, holdsKey, sha256, bytesKept).lastInsertRowid);
    // Two kept messages with the same content (a rejected invoice sent again under a new key), an
    // invalid file and a message whose bytes were pruned, all with that content.
    const kept = row(1, 1, 1);
    const sameContent = row(2, 1, 1);
    const invalid = row(3, 0, 0);
    const pruned = row(4, 1, 0);
    const content = Buffer.from('content 1');
    db.prepare('INSERT INTO message_bytes (sha256, size, bytes, stored_at) VALUES (?, ?, ?, ?)').run(sha256, content.length, content, 1);
    db.close();

    const store = Store.open(path);
    cleanups.unshift(() => store.close());
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    const bytes = new MessageBytes(store.db);
    expect(bytes.read(kept)?.toString()).toBe('content 1');
    expect(bytes.read(sameContent)?.toString()).toBe('content 1');
    expect(bytes.read(invalid)).toBeUndefined();
    expect(bytes.read(pruned)).toBeUndefined();
    expect(store.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'messages_sha256'").pluck().get()).toBe(0);
  });

  it('refuses a database written by a newer turnkey', () => {
    const { path } = fresh();
    Store.open(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_VERSION + 5}`);
    db.close();
    expect(() => Store.open(path)).toThrowError(expect.objectContaining({ code: 'store-too-new' }) as unknown as Error);
    expect(() => Store.openReadOnly(path)).toThrowError(expect.objectContaining({ code: 'store-too-new' }) as unknown as Error);
  });

  it('opening read-only says where no database is, and never creates one', () => {
    const { path } = fresh();
    try {
      Store.openReadOnly(path);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('store-not-found');
    }
    expect(existsSync(path)).toBe(false);
  });

  it('lets a read-only reader count while a writer holds an open write transaction', () => {
    const { path } = fresh();
    const writer = Store.open(path);
    cleanups.unshift(() => writer.close());
    const transitions = new MessageTransitions(writer.db);
    transitions.receive(newMessage(1));
    writer.db.exec('BEGIN IMMEDIATE');
    transitions.receive(newMessage(2));
    const reader = Store.openReadOnly(path, { busyTimeoutMs: 0 });
    expect(reader.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
    reader.close();
    writer.db.exec('COMMIT');
  });
});

describe('DaemonLifecycle', () => {
  it('records starting, running, draining and stopped with heartbeats for the owning pid only', () => {
    const dir = tempDir();
    const store = Store.open(join(dir.path, 'turnkey.db'));
    try {
      let now = 1_000;
      const lifecycle = new DaemonLifecycle(store.db, () => now);
      expect(lifecycle.read()).toBeUndefined();
      lifecycle.begin({ pid: 42, hostname: 'h', version: '1.0.0' });
      expect(lifecycle.read()).toMatchObject({ state: 'starting', pid: 42, startedAt: 1_000 });
      now = 2_000;
      lifecycle.enter(42, 'running');
      now = 3_000;
      lifecycle.heartbeat(42);
      lifecycle.heartbeat(7); // not the owner: ignored
      expect(lifecycle.read()).toMatchObject({ state: 'running', heartbeatAt: 3_000 });
      lifecycle.enter(42, 'draining');
      now = 4_000;
      lifecycle.enter(42, 'stopped');
      expect(lifecycle.read()).toMatchObject({ state: 'stopped', stoppedAt: 4_000 });
    } finally {
      store.close();
      dir.cleanup();
    }
  });
});
