import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { TurnkeyConfig } from '../config/types.js';
import { MaintenanceWindows } from '../store/MaintenanceWindows.js';
import { Problems } from '../store/Problems.js';
import { SendingState } from '../store/SendingState.js';
import { FeedPoller } from './FeedPoller.js';
import { SendingGate } from './SendingGate.js';

/** How long start-up waits for the feeds before sending starts anyway (they are read again on schedule). */
const FIRST_POLL_TIMEOUT_MS = 10_000;

/**
 * The maintenance windows at work in the daemon: the store's windows, the configuration's synced
 * into them, the feeds that keep theirs current, and the gate the sending side asks.
 */
export class Maintenance {
  private constructor(
    readonly windows: MaintenanceWindows,
    readonly gate: SendingGate,
    readonly feeds: FeedPoller,
  ) {}

  /** Builds it, syncs the configuration's windows and reads the feeds once (briefly) before sending starts. */
  static async start(config: TurnkeyConfig, db: Database, logger: Logger): Promise<Maintenance> {
    const settings = config.maintenance;
    const windows = new MaintenanceWindows(db);
    syncConfiguredWindows(windows, config);
    const feeds = new FeedPoller(settings.feeds, windows, new Problems(db, 'daemon'), logger);
    const gate = new SendingGate(
      windows,
      new SendingState(db),
      {
        marginBeforeMs: settings.marginBeforeMinutes * 60_000,
        marginAfterMs: settings.marginAfterMinutes * 60_000,
        resumeJitterMs: settings.resumeJitterSeconds * 1000,
        probeMs: settings.probeSeconds * 1000,
      },
      logger,
      async () => void (await feeds.poll()),
    );
    if (settings.feeds.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_POLL_TIMEOUT_MS)));
      await Promise.race([feeds.poll().catch(() => undefined), timeout]);
      clearTimeout(timer);
    }
    return new Maintenance(windows, gate, feeds);
  }
}

/** The configuration's windows, as the store keeps them (a window removed from the file is removed). */
export function syncConfiguredWindows(windows: MaintenanceWindows, config: TurnkeyConfig): { added: number; removed: number } {
  return windows.sync(
    'config',
    config.configFile,
    config.maintenance.windows.map((w) => ({ startsAt: w.from, endsAt: w.to, reason: w.reason })),
  );
}
