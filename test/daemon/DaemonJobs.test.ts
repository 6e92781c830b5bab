import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/loadConfig.js';
import { CERTIFICATE_EXPIRING, scheduleJobs, type CertificateFacts } from '../../src/daemon/DaemonJobs.js';
import type { Maintenance } from '../../src/schedule/Maintenance.js';
import { Scheduler } from '../../src/schedule/Scheduler.js';
import { JobRuns } from '../../src/store/JobRuns.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { Store } from '../../src/store/Store.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

const DAY = 86_400_000;

describe('the daemon’s scheduled jobs', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let scheduler: Scheduler;
  let certificates: CertificateFacts[];
  const logged: Array<Record<string, unknown>> = [];
  const now = Date.parse('2026-12-06T02:00:00Z');

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    logged.length = 0;
    certificates = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
    scheduler = new Scheduler(new JobRuns(store.db), logger);
    const config = parseConfig(JSON.stringify({ deadlines: { atRiskHours: 12 } }), join(dir.path, 'turnkey.config.json'));
    const maintenance = { feeds: { poll: async () => 'no feeds' } } as unknown as Maintenance;
    scheduleJobs(scheduler, { config, db: store.db, logger, maintenance, certificates: () => certificates, now: () => now });
  });
  afterEach(async () => {
    await scheduler.stop();
    store.close();
    dir.cleanup();
  });

  const open = () => store.db.prepare('SELECT code, subject FROM problems WHERE resolved_at IS NULL').all();

  it('warns of a certificate that expires within 30 days, every run, until it is replaced', async () => {
    certificates = [{ partyId: '24634102', subject: 'CN=merchant', notAfter: new Date(now + 10 * DAY) }];
    await scheduler.run('certificates');
    expect(open()).toEqual([{ code: CERTIFICATE_EXPIRING, subject: 'sender 24634102' }]);
    expect(logged.filter((l) => l.event === CERTIFICATE_EXPIRING)).toMatchObject([{ partyId: '24634102', daysLeft: 10 }]);
    certificates = [{ partyId: '24634102', subject: 'CN=merchant', notAfter: new Date(now + 400 * DAY) }];
    await scheduler.run('certificates');
    expect(open()).toEqual([]);
  });

  it('logs the messages near or past their legal deadline', async () => {
    const messages = new MessageTransitions(store.db, () => now);
    for (const [n, hoursLeft] of [
      [1, -2],
      [2, 6],
      [3, 30],
    ] as const) {
      const { messageId } = messages.receive({ ...newMessage(n), uploadDeadline: now + hoursLeft * 3600_000 });
      messages.move(messageId, 'received', 'queued');
    }
    await scheduler.run('deadlines');
    expect(logged.find((l) => l.event === 'deadline-at-risk')).toMatchObject({ atRisk: 2, overdue: 1, byType: { F0401: 2 } });
    expect(new JobRuns(store.db).list()).toMatchObject([{ name: 'deadlines', outcome: 'ok', detail: '2 at risk, 1 overdue' }]);
  });

  it("writes yesterday's figures (a Taiwan day) in the daily summary", async () => {
    // 2026-12-05 in Taipei runs from 12-04T16:00Z to 12-05T16:00Z.
    const messages = new MessageTransitions(store.db, () => Date.parse('2026-12-05T15:59:00Z'));
    messages.receive(newMessage(1));
    new MessageTransitions(store.db, () => Date.parse('2026-12-05T16:01:00Z')).receive(newMessage(2));
    await scheduler.run('dailySummary');
    expect(logged.find((l) => l.event === 'daily-summary')).toMatchObject({ day: '20261205', received: 1 });
  });
});
