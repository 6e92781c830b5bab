import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Database } from 'better-sqlite3';
import type { TurnkeyConfig } from '../config/types.js';
import { UsageError } from '../errors/index.js';
import { MessageHistoryReader } from '../store/MessageHistory.js';
import { Store } from '../store/Store.js';
import { StoreError } from '../store/StoreError.js';

/**
 * The store for a command that changes it (ack, retry, resend): opened for writing beside a running
 * daemon (each change is one short transaction), never created here.
 */
export function withWritableStore<T>(config: TurnkeyConfig, work: (db: Database) => T): T {
  if (!existsSync(config.database)) {
    throw new StoreError('store-not-found', `no database at ${config.database}`, {
      hint: 'Run `turnkey init` (or `turnkey start` once) first; check the `database` key of the configuration.',
    });
  }
  const store = Store.open(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    return work(store.db);
  } finally {
    store.close();
  }
}

/** The messages the keys name (every version of a number, every message of a pack), or those in a state. */
export function selectMessages(db: Database, keys: readonly string[], state?: string, before?: number): number[] {
  if (keys.length > 0 && state !== undefined) throw new UsageError('give message keys or --state, not both');
  if (keys.length === 0 && state === undefined)
    throw new UsageError('give the messages (numbers, identifiers, packs, file names) or --state');
  if (state !== undefined) {
    return db
      .prepare('SELECT id FROM messages WHERE state = ? AND received_at < ? ORDER BY id')
      .pluck()
      .all(state, before ?? Number.MAX_SAFE_INTEGER) as number[];
  }
  const reader = new MessageHistoryReader(db);
  const ids = new Set<number>();
  for (const key of keys) {
    const found = reader.find(MessageHistoryReader.classify(key));
    if (found.length === 0) throw new UsageError(`no message, pack or file named ${key} is in the store`);
    for (const id of found) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Who runs the command, for the audit. */
export function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
