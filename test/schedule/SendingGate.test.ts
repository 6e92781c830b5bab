import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SendingGate } from '../../src/schedule/SendingGate.js';
import { MaintenanceWindows } from '../../src/store/MaintenanceWindows.js';
import { SendingState } from '../../src/store/SendingState.js';
import { Store } from '../../src/store/Store.js';
import { tempDir } from '../helpers/tempDir.js';

const MINUTE = 60_000;
const SETTINGS = { marginBeforeMs: 5 * MINUTE, marginAfterMs: 5 * MINUTE, resumeJitterMs: 60_000, probeMs: MINUTE };

describe('SendingGate', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let clock: number;
  let windows: MaintenanceWindows;
  const now = () => clock;
  const gate = (random = 0.5) =>
    new SendingGate(
      windows,
      new SendingState(store.db, now),
      SETTINGS,
      pino({ level: 'silent' }),
      async () => {},
      now,
      () => random,
    );
  const events = () => store.db.prepare('SELECT kind FROM sending_events ORDER BY id').pluck().all();

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    clock = Date.parse('2026-12-18T09:00:00Z'); // 17:00 in Taipei
    windows = new MaintenanceWindows(store.db, now);
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  it('pauses from the margin before an announced window until its end, the margin after and a random wait', () => {
    const start = Date.parse('2026-12-18T10:00:00Z');
    const end = Date.parse('2026-12-19T04:00:00Z');
    windows.add('cli', 'cli', { startsAt: start, endsAt: end, reason: 'yearly upgrade' });
    const g = gate(0.5);
    expect(g.update()).toEqual({ state: 'sending' });
    clock = start - 5 * MINUTE - 1;
    expect(g.update()).toEqual({ state: 'sending' });
    clock = start - 5 * MINUTE;
    expect(g.update()).toMatchObject({ state: 'paused', window: { reason: 'yearly upgrade' }, until: end + 5 * MINUTE, probe: false });
    clock = end + 5 * MINUTE - 1;
    expect(g.update().state).toBe('paused');
    clock = end + 5 * MINUTE;
    expect(g.update()).toEqual({ state: 'resuming', resumeAt: end + 5 * MINUTE + 30_000 });
    clock += 29_999;
    expect(g.update().state).toBe('resuming');
    clock += 1;
    expect(g.update()).toEqual({ state: 'sending' });
    expect(events()).toEqual(['window-added', 'paused', 'window-over', 'resumed']);
    expect(store.db.prepare("SELECT reason FROM sending_events WHERE kind = 'paused'").pluck().get()).toBe('yearly upgrade');
  });

  it('does not pause twice when the daemon restarts inside a window, and keeps its resume time', () => {
    windows.add('cli', 'cli', { startsAt: clock - MINUTE, endsAt: clock + 10 * MINUTE, reason: 'short' });
    gate().update();
    clock += MINUTE;
    expect(gate().update().state).toBe('paused');
    clock += 20 * MINUTE;
    const resuming = gate(0.25).update();
    expect(resuming).toMatchObject({ state: 'resuming' });
    expect(gate(0.9).update()).toEqual(resuming); // a restart does not draw a new wait
    expect(events()).toEqual(['window-added', 'paused', 'window-over']);
  });

  it('resumes when the window that paused it is removed', () => {
    const w = windows.add('cli', 'cli', { startsAt: clock - MINUTE, endsAt: clock + 3600_000, reason: 'by hand' });
    const g = gate(0);
    expect(g.update().state).toBe('paused');
    windows.remove(w.id, 'a test');
    // No random wait drawn (0): straight through resuming to sending.
    expect(g.update()).toEqual({ state: 'sending' });
    expect(events()).toEqual(['window-added', 'paused', 'window-removed', 'window-over', 'resumed']);
  });

  it('moves a retry that would fall inside announced windows to after the last of them', () => {
    const g = gate(0);
    windows.add('feed', 'f', { startsAt: clock + 3600_000, endsAt: clock + 2 * 3600_000, reason: 'a' });
    windows.add('feed', 'f', { startsAt: clock + 2 * 3600_000 + 7 * MINUTE, endsAt: clock + 5 * 3600_000, reason: 'b' });
    expect(g.defer(clock + 30 * MINUTE)).toBe(clock + 30 * MINUTE);
    expect(g.defer(clock + 56 * MINUTE)).toBe(clock + 5 * 3600_000 + 5 * MINUTE);
  });

  it("lets one attempt through now and then while the platform's own window has no end, and resumes when it answers", () => {
    const g = gate(0.5);
    g.platformInMaintenance({ endsAt: null, reason: '系統維護中' }, 'gateway');
    expect(g.update()).toMatchObject({ state: 'paused', until: null, probe: false });
    clock += MINUTE;
    expect(g.update()).toMatchObject({ state: 'paused', probe: true });
    g.probeStarted();
    expect(g.update()).toMatchObject({ probe: false });
    g.platformAnswered();
    // The platform's own windows have no margins: sending resumes after the random wait only.
    expect(g.update()).toEqual({ state: 'resuming', resumeAt: clock + 30_000 });
    clock += 30_000;
    expect(g.update()).toEqual({ state: 'sending' });
    expect(events()).toEqual(['window-added', 'paused', 'window-ended', 'window-over', 'resumed']);
  });

  it("ends the platform's own window at the end its notice gives", () => {
    const g = gate(0.5);
    g.platformInMaintenance({ endsAt: clock + 10 * MINUTE, reason: 'maintenance' }, 'gateway');
    expect(g.update()).toMatchObject({ state: 'paused', until: clock + 10 * MINUTE, probe: false });
    clock += 10 * MINUTE - 1;
    expect(g.update().state).toBe('paused');
    clock += 1;
    expect(g.update().state).toBe('resuming');
  });
});
