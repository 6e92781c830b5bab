import { existsSync } from 'node:fs';
import { DaemonLifecycle } from '../store/DaemonLifecycle.js';
import { Store } from '../store/Store.js';

/** "pid 123 on host x, heartbeat 2 s ago" from the store, for the lock-refused message; best effort. */
export function describeHolder(database: string, now: number = Date.now()): string | undefined {
  if (!existsSync(database)) return undefined;
  let store: Store | undefined;
  try {
    store = Store.openReadOnly(database);
    const record = new DaemonLifecycle(store.db).read();
    if (!record) return undefined;
    const age = Math.max(0, Math.round((now - record.heartbeatAt) / 1000));
    return `pid ${record.pid} on ${record.hostname}, ${record.state}, heartbeat ${age} s ago`;
  } catch {
    return undefined;
  } finally {
    store?.close();
  }
}
