import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimLayout } from '../../src/sim/storage/SimLayout.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemonProcess.js';
import { PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

/** Windows honoured exactly: no margins, a short random wait. */
const MAINTENANCE = { marginBeforeMinutes: 0, marginAfterMinutes: 0, resumeJitterSeconds: 1, probeSeconds: 1 };

describe('maintenance windows (daemon and simulator as processes)', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PlatformPair | null = null;

  beforeEach(() => {
    dir = tempDir('turnkey-maintenance-');
  });
  afterEach(async () => {
    await pair?.stop();
    pair = null;
    dir.cleanup();
  });

  /** Reads a database of the pair read-only: the simulator's record or the daemon's store. */
  function readDb<T>(file: string, read: (db: Database.Database) => T): T {
    const db = new Database(file, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }
  const simDb = <T>(read: (db: Database.Database) => T): T => readDb(new SimLayout(pair!.simDataDir).databaseFile, read);
  const daemonStore = <T>(read: (db: Database.Database) => T): T => readDb(pair!.database, read);

  /** What the simulator recorded: when each notification came, when each pack was accepted. */
  const simTimes = () =>
    simDb((db) => {
      const times = (sql: string) => (db.prepare(sql).pluck().all() as string[]).map((t) => Date.parse(t));
      return { notifications: times('SELECT at FROM notifications'), accepted: times('SELECT accepted_at FROM packs') };
    });

  /** The simulator's answers to notifications that came before `at`. */
  const simAnswersBefore = (at: number) =>
    simDb((db) =>
      (db.prepare('SELECT at, http_status, code FROM notifications').all() as Array<{ at: string; http_status: number; code: string }>)
        .filter((r) => Date.parse(r.at) < at)
        .map(({ http_status, code }) => ({ http_status, code })),
    );

  it('sends nothing inside a window an operator adds, then confirms everything dropped during it', async () => {
    pair = await PlatformPair.create(dir.path, { config: { maintenance: MAINTENANCE } });
    await pair.startSim();
    await pair.startDaemon();
    const added = await runCli([
      'maintenance',
      'add',
      '--from',
      'now',
      '--to',
      '+20s',
      '--reason',
      'test window',
      '--json',
      '--config',
      pair.daemonConfigFile,
    ]);
    expect(added.code).toBe(0);
    const { window } = JSON.parse(added.stdout) as { window: { from: string; to: string } };
    expect(window.from).toMatch(/\+08:00$/);
    const from = Date.parse(window.from);
    const to = Date.parse(window.to);

    pair.dropInvoices(500);
    const status = await waitFor(async () => {
      const report = JSON.parse((await runCli(['status', '--json', '--config', pair!.daemonConfigFile])).stdout);
      return report.paused?.state === 'paused' ? report : null;
    }, 'status to show sending paused');
    expect(status.paused).toMatchObject({
      paused: true,
      window: { origin: 'cli', reason: 'test window' },
      reasons: [{ kind: 'window', code: 'maintenance-window', detail: 'test window' }],
    });
    await waitFor(() => ((pair!.states().packed ?? 0) === 500 ? true : null), 'all 500 invoices packed and waiting', 15_000);
    expect(Date.now()).toBeLessThan(to); // the check above happened inside the window
    expect(simTimes().notifications).toEqual([]);

    expect(await pair.waitForFinal(500, 90_000)).toEqual({ confirmed: 500 });
    const sim = simTimes();
    expect(Math.min(...sim.notifications, ...sim.accepted)).toBeGreaterThanOrEqual(to);
    const inside = daemonStore((db) =>
      db.prepare('SELECT count(*) FROM attempts WHERE started_at >= ? AND started_at < ?').pluck().get(from, to),
    );
    expect(inside).toBe(0);
    const events = daemonStore((db) => db.prepare('SELECT kind, reason FROM sending_events ORDER BY id').all());
    expect(events).toEqual([
      { kind: 'window-added', reason: 'test window' },
      { kind: 'paused', reason: 'test window' },
      { kind: 'window-over', reason: 'test window' },
      { kind: 'resumed', reason: 'test window' },
    ]);
  }, 150_000);

  it('takes logins the platform refuses during a window it announces as the window: no budget spent, no breaker, no hold', async () => {
    // The daemon reads the platform's announcements (a feed), so a refused login can be explained.
    pair = await PlatformPair.create(dir.path, {
      config: (origin) => ({ maintenance: { ...MAINTENANCE, feeds: [{ url: `${origin}/announcements`, format: 'json' }] } }),
    });
    await pair.startSim();
    await pair.startDaemon();
    // Announced after the daemon read the feed at start: it learns of it from the refused login.
    const end = Date.now() + 12_000;
    const response = await pair.simAdmin('POST', '/_sim/maintenance', {
      start: new Date(Date.now() - 1000).toISOString(),
      end: new Date(end).toISOString(),
      description: '系統維護',
    });
    expect(response.status).toBe(201);
    pair.dropInvoices(50);
    await waitFor(() => daemonStore((db) => db.prepare("SELECT 1 FROM sending_events WHERE kind = 'paused'").get() ?? null), 'a pause');
    expect(await pair.waitForFinal(50, 60_000)).toEqual({ confirmed: 50 });
    // A session opened before the window still uploads; its notification is then answered 503 with the notice.
    const early = simAnswersBefore(end);
    expect(early).toEqual(early.map(() => ({ http_status: 503, code: 'maintenance' })));
    expect(Math.min(...simTimes().accepted)).toBeGreaterThanOrEqual(end);
    daemonStore((db) => {
      expect(db.prepare('SELECT max(counted_failures) FROM packs').pluck().get()).toBe(0);
      expect(db.prepare("SELECT count(*) FROM problems WHERE code = 'login-refused'").pluck().get()).toBe(0);
      const origins = db.prepare('SELECT DISTINCT origin, reason FROM maintenance_windows ORDER BY origin').all();
      expect(origins.length).toBeGreaterThanOrEqual(1);
      for (const w of origins) expect(w).toMatchObject({ origin: expect.stringMatching(/^(feed|platform)$/), reason: '系統維護' });
    });
    const log = pair.daemon!.output.stdout;
    // The window took the platform down: the next login was refused, and the refusal read as the window.
    expect(log).toMatch(/"event":"pack-attempt".*"outcome":"maintenance","code":"sftp-auth"/);
    expect(log).not.toMatch(/"outcome":"failed","code":"(sftp-auth|gateway-maintenance)"/);
  }, 120_000);

  it('refuses a window that is over or ends before it starts, warns of deadlines it would make late, and says so in status', async () => {
    pair = await PlatformPair.create(dir.path, { config: { maintenance: MAINTENANCE, deadlines: { atRiskHours: 48 } } });
    const config = ['--config', pair.daemonConfigFile];
    const over = await runCli(['maintenance', 'add', '--from', '2020-01-01T00:00', '--to', '2020-01-02T00:00', ...config]);
    expect(over.code).toBe(2);
    expect(over.stderr).toContain('the window is already over');
    const backwards = await runCli(['maintenance', 'add', '--from', '+2h', '--to', '+1h', ...config]);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('before it starts');

    const noStore = await runCli(['maintenance', 'list', ...config]);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toContain('no database at');

    await pair.startSim();
    await pair.startDaemon();
    expect((await runCli(['maintenance', 'add', '--from', 'now', '--to', '+3d', ...config])).code).toBe(0);
    // B2C invoices issued an hour ago: due 47 hours from now, so at risk (48 h) and inside the window.
    pair.dropInvoices(3);
    await waitFor(() => ((pair!.states().packed ?? 0) === 3 ? true : null), 'three invoices packed');
    const status = await runCli(['status', '--json', ...config]);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ paused: { state: 'paused' }, deadlines: { atRisk: 3, atRiskHours: 48 } });
    expect((await runCli(['status', ...config])).stdout).toContain('DEADLINE AT RISK: 3 message(s)');

    const late = await runCli(['maintenance', 'add', '--from', '+1h', '--to', '+4d', '--json', ...config]);
    expect(JSON.parse(late.stdout).deadlineWarning).toMatchObject({ messages: 3 });
    const list = JSON.parse((await runCli(['maintenance', 'list', '--json', ...config])).stdout) as Array<{ id: number; origin: string }>;
    expect(list.map((w) => w.origin)).toEqual(['cli', 'cli']);
    const removed = await runCli(['maintenance', 'remove', String(list[0]!.id), '--json', ...config]);
    expect(JSON.parse(removed.stdout).removed.id).toBe(list[0]!.id);
    expect(JSON.parse((await runCli(['maintenance', 'list', '--json', ...config])).stdout)).toHaveLength(1);
  }, 60_000);
});
