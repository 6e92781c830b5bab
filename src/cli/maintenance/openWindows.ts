import { existsSync } from 'node:fs';
import type { TurnkeyConfig } from '../../config/types.js';
import { StoreError } from '../../store/StoreError.js';
import { syncConfiguredWindows } from '../../schedule/Maintenance.js';
import { Deadlines } from '../../store/Deadlines.js';
import { MaintenanceWindows } from '../../store/MaintenanceWindows.js';
import { Store } from '../../store/Store.js';

/**
 * The store's windows, for a `turnkey maintenance` command: the database opened for writing (a
 * short transaction per change, beside a running daemon), the configuration's windows synced in
 * first so that the list is whole even before the daemon has started.
 */
export function withWindows<T>(config: TurnkeyConfig, work: (windows: MaintenanceWindows, deadlines: Deadlines) => T): T {
  // Never made here: a database is created by `turnkey init` or the daemon, with the data root's permissions.
  if (!existsSync(config.database)) {
    throw new StoreError('store-not-found', `no database at ${config.database}`, {
      hint: 'Run `turnkey init` (or `turnkey start` once) first; check the `database` key of the configuration.',
    });
  }
  const store = Store.open(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    const windows = new MaintenanceWindows(store.db);
    syncConfiguredWindows(windows, config);
    return work(windows, new Deadlines(store.db));
  } finally {
    store.close();
  }
}
