import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FeedSettings } from '../../src/config/types.js';
import { FEED_UNREADABLE, FeedPoller } from '../../src/schedule/FeedPoller.js';
import { SendingGate } from '../../src/schedule/SendingGate.js';
import { MaintenanceWindows } from '../../src/store/MaintenanceWindows.js';
import { Problems } from '../../src/store/Problems.js';
import { SendingState } from '../../src/store/SendingState.js';
import { Store } from '../../src/store/Store.js';
import { startFixture, type SimFixture } from '../sim/helpers/simFixture.js';
import { tempDir } from '../helpers/tempDir.js';

const silent = pino({ level: 'silent' });

describe('FeedPoller', () => {
  let fx: SimFixture;
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let windows: MaintenanceWindows;

  beforeAll(async () => {
    fx = await startFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    windows = new MaintenanceWindows(store.db);
  });
  afterEach(() => {
    fx.sim.clearMaintenanceWindows();
    store.close();
    dir.cleanup();
  });

  const poller = (feeds: FeedSettings[]) => new FeedPoller(feeds, windows, new Problems(store.db, 'daemon'), silent);
  const openProblems = () => store.db.prepare('SELECT code, subject FROM problems WHERE resolved_at IS NULL').all();

  it("picks up the windows the platform's announcements list, as JSON and as iCalendar, and honours them", async () => {
    fx.sim.addMaintenanceWindow({ start: new Date(Date.now() - 1000), end: new Date(Date.now() + 3600_000), description: '系統維護' });
    for (const [path, format] of [
      ['/announcements', 'json'],
      ['/announcements.ics', 'auto'],
    ] as const) {
      await poller([{ location: `${fx.sim.gateway.origin}${path}`, kind: 'url', format }]).poll();
    }
    const listed = windows.list();
    expect(listed).toHaveLength(2);
    expect(listed.map((w) => [w.origin, w.reason])).toEqual([
      ['feed', '系統維護'],
      ['feed', '系統維護'],
    ]);
    const gate = new SendingGate(
      windows,
      new SendingState(store.db),
      { marginBeforeMs: 0, marginAfterMs: 0, resumeJitterMs: 0, probeMs: 60_000 },
      silent,
    );
    expect(gate.update()).toMatchObject({ state: 'paused', window: { origin: 'feed', reason: '系統維護' } });
  });

  it('removes a window the feed no longer lists, and keeps the others', async () => {
    const file = join(dir.path, 'windows.json');
    const feed = poller([{ location: file, kind: 'file', format: 'auto' }]);
    const a = { start: '2026-12-18T18:00:00+08:00', end: '2026-12-19T12:00:00+08:00', description: 'yearly upgrade' };
    const b = { start: '2026-12-24T07:00:00+08:00', end: '2026-12-24T09:00:00+08:00', description: 'short maintenance' };
    writeFileSync(file, JSON.stringify([a, b]));
    expect(await feed.poll()).toContain('2 window(s), 2 added, 0 removed');
    writeFileSync(file, JSON.stringify([b]));
    expect(await feed.poll()).toContain('1 window(s), 0 added, 1 removed');
    expect(windows.list().map((w) => w.reason)).toEqual(['short maintenance']);
    const kinds = store.db.prepare('SELECT kind FROM sending_events ORDER BY id').pluck().all();
    expect(kinds).toEqual(['window-added', 'window-added', 'window-removed']);
  });

  it('keeps what a feed gave when it cannot be read, and says so until it reads again', async () => {
    const file = join(dir.path, 'feed.ics');
    const feed = poller([{ location: file, kind: 'file', format: 'ics' }]);
    const event = ['BEGIN:VEVENT', 'DTSTART:20261218T100000Z', 'DTEND:20261219T040000Z', 'SUMMARY:upgrade', 'END:VEVENT'];
    writeFileSync(file, ['BEGIN:VCALENDAR', ...event, 'END:VCALENDAR', ''].join('\r\n'));
    await feed.poll();
    writeFileSync(file, 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:tomorrow\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
    expect(await feed.poll()).toContain('unreadable');
    expect(windows.list().map((w) => w.reason)).toEqual(['upgrade']);
    expect(openProblems()).toEqual([{ code: FEED_UNREADABLE, subject: file }]);
    writeFileSync(file, 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    await feed.poll();
    expect(windows.list()).toEqual([]);
    expect(openProblems()).toEqual([]);
  });
});
