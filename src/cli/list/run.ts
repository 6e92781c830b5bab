import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { UsageError } from '../../errors/index.js';
import { listMessages } from '../../store/MessageList.js';
import { Store } from '../../store/Store.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import { EXIT } from '../exit.js';
import { sinceOption, statesOption, typesOption } from '../listFilter.js';
import { padEnd } from '../text.js';

/** `turnkey list`: read-only. */
export function runList(options: { state?: string; type?: string; since?: string; limit: string; config?: string; json?: boolean }): void {
  const config = loadConfig(locateConfig(options.config).path);
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, not "${options.limit}"`);
  const store = Store.openReadOnly(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    const filter = {
      states: statesOption(options.state),
      types: typesOption(options.type),
      since: sinceOption(options.since, Date.now()),
      limit,
    };
    const rows = [...listMessages(store.db, filter)].map((m) => ({
      ...m,
      receivedAt: toTaiwanIso(new Date(m.receivedAt)),
      finalAt: m.finalAt === null ? null : toTaiwanIso(new Date(m.finalAt)),
      acknowledgedAt: m.acknowledgedAt === null ? null : toTaiwanIso(new Date(m.acknowledgedAt)),
    }));
    if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      for (const m of rows) {
        const code = m.errorCode ? ` [${m.errorCode}] ${m.errorText ?? ''}` : '';
        process.stdout.write(
          `${padEnd(`#${m.id}`, 9)} ${m.messageType} ${padEnd(m.number ?? '-', 16)} ${m.date ?? '-'}  ${padEnd(m.state, 9)} ` +
            `${m.receivedAt}${code}\n`,
        );
      }
      process.stdout.write(`${rows.length} message(s)${rows.length === limit ? ` (the newest ${limit}; --limit for more)` : ''}\n`);
    }
  } finally {
    store.close();
  }
  process.exitCode = EXIT.ok;
}
