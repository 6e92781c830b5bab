import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsServer } from '../../src/metrics/MetricsServer.js';
import { StoreMetrics, type StoreMetricsSettings } from '../../src/metrics/StoreMetrics.js';
import { CircuitBreaker } from '../../src/outbound/CircuitBreaker.js';
import { DaemonLifecycle } from '../../src/store/DaemonLifecycle.js';
import { MessageQueries } from '../../src/store/MessageQueries.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { OutboundQueries } from '../../src/store/OutboundQueries.js';
import { PackTransitions } from '../../src/store/PackTransitions.js';
import { SendingState } from '../../src/store/SendingState.js';
import { Store } from '../../src/store/Store.js';
import { newMessage, packFor } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);

/** `name{a="x",b="y"}` → value, labels in name order, from Prometheus' text format. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = match[2] ? [...match[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => `${m[1]}=${m[2]}`).sort() : [];
    values.set(labels.length ? `${match[1]}{${labels.join(',')}}` : match[1]!, Number(match[3]));
  }
  return values;
}

const key = (name: string, labels: Record<string, string> = {}): string => {
  const parts = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return parts.length ? `${name}{${parts.join(',')}}` : name;
};

describe('the metrics endpoint', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let clock: number;
  let messages: MessageTransitions;
  let packs: PackTransitions;
  let lifecycle: DaemonLifecycle;
  let server: MetricsServer | null;
  let next: number;

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    clock = T0;
    messages = new MessageTransitions(store.db, () => clock);
    packs = new PackTransitions(store.db, messages, () => clock);
    lifecycle = new DaemonLifecycle(store.db, () => clock);
    server = null;
    next = 0;
  });
  afterEach(async () => {
    await server?.stop();
    store.close();
    dir.cleanup();
  });

  const settings = (more: Partial<StoreMetricsSettings> = {}): StoreMetricsSettings => ({
    messageTypes: ['F0401', 'G0401', 'E0401'],
    atRiskMs: 12 * HOUR,
    heartbeatMaxAgeMs: 15_000,
    processMetrics: false,
    minRefreshMs: 0,
    now: () => clock,
    ...more,
  });

  async function serve(metrics: StoreMetrics = new StoreMetrics(store.db, settings())): Promise<string> {
    server = new MetricsServer(metrics, { host: '127.0.0.1', port: 0 });
    const port = await server.start();
    return `http://127.0.0.1:${port}`;
  }

  function receive(overrides: Parameters<typeof newMessage>[1] = {}): number {
    return messages.receive(newMessage(next++, overrides)).messageId;
  }
  function queued(overrides: Parameters<typeof newMessage>[1] = {}): number {
    const id = receive(overrides);
    messages.move(id, 'received', 'queued');
    return id;
  }
  function running(): void {
    lifecycle.begin({ pid: process.pid, hostname: 'test', version: '0.1.0' });
    lifecycle.enter(process.pid, 'running');
  }

  /** A store with a bit of everything: waiting messages of two ages, an invalid one, a settled pack with its attempts, one under way. */
  function populate(): { underWay: number; uploadedPack: number } {
    receive({ uploadDeadline: T0 + 48 * HOUR }); // received at T0
    clock += 60_000;
    queued({ uploadDeadline: T0 - HOUR }); // overdue
    queued({ uploadDeadline: T0 + 2 * HOUR }); // at risk
    queued({ uploadDeadline: T0 + 100 * HOUR });
    const invalid = receive({ messageType: 'G0401', errorCode: 'schema', holdsKey: false });
    messages.move(invalid, 'received', 'invalid', { code: 'schema' });

    const packed = [queued(), queued(), queued(), queued()];
    const { packId } = packs.create(packFor('p1'), packed);
    const upload = packs.startAttempt(packId, 'upload');
    packs.endAttempt(upload.attemptId, 'ok');
    packs.fileUploaded(packId);
    const failedNotify = packs.startAttempt(packId, 'notify');
    packs.endAttempt(failedNotify.attemptId, 'failed', { errorCode: 'econnrefused' });
    const notify = packs.startAttempt(packId, 'notify');
    packs.endAttempt(notify.attemptId, 'ok', { statusCode: 0 });
    packs.notified(packId, 'file-uploaded');
    packs.settle(
      packId,
      packed.map((messageId, i) => ({
        messageId,
        verdict: i === 3 ? 'rejected' : 'confirmed',
        code: i === 3 ? 'E0201' : null,
        text: null,
      })),
      () => {},
    );

    const second = [queued(), queued()];
    const { packId: uploadedPack } = packs.create(packFor('p2'), second);
    const { attemptId: underWay } = packs.startAttempt(uploadedPack, 'upload');
    clock += 60_000; // now: T0 + 2 min
    return { underWay, uploadedPack };
  }

  it('serves the store as Prometheus metrics: messages by type and state, attempts, backlog, deadlines, pause, breaker', async () => {
    populate();
    running();
    new CircuitBreaker(store.db).failed('econnrefused');
    const base = await serve();
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# HELP turnkey_messages Messages in the store, by message type and state.');
    expect(text).toContain('# TYPE turnkey_attempts_total counter');
    const m = parseMetrics(text);
    const v = (name: string, labels?: Record<string, string>) => m.get(key(name, labels));

    expect(v('turnkey_messages', { type: 'F0401', state: 'received' })).toBe(1);
    expect(v('turnkey_messages', { type: 'F0401', state: 'queued' })).toBe(3);
    expect(v('turnkey_messages', { type: 'F0401', state: 'packed' })).toBe(2);
    expect(v('turnkey_messages', { type: 'F0401', state: 'confirmed' })).toBe(3);
    expect(v('turnkey_messages', { type: 'F0401', state: 'rejected' })).toBe(1);
    expect(v('turnkey_messages', { type: 'G0401', state: 'invalid' })).toBe(1);
    // A configured type with no message yet is there, at 0, so that alerts on it work from the start.
    expect(v('turnkey_messages', { type: 'E0401', state: 'queued' })).toBe(0);
    // The oldest received message came at T0, two minutes ago; the oldest queued and packed ones a minute later.
    expect(v('turnkey_backlog_oldest_age_seconds', { state: 'received' })).toBe(120);
    expect(v('turnkey_backlog_oldest_age_seconds', { state: 'queued' })).toBe(60);
    expect(v('turnkey_backlog_oldest_age_seconds', { state: 'packed' })).toBe(60);

    expect(v('turnkey_attempts_total', { stage: 'upload', outcome: 'ok' })).toBe(1);
    expect(v('turnkey_attempts_total', { stage: 'notify', outcome: 'ok' })).toBe(1);
    expect(v('turnkey_attempts_total', { stage: 'notify', outcome: 'failed' })).toBe(1);
    expect(v('turnkey_attempt_failures_total', { stage: 'notify', code: 'econnrefused' })).toBe(1);
    expect(v('turnkey_attempts_in_flight')).toBe(1);
    expect(v('turnkey_packs', { state: 'packed' })).toBe(1);
    expect(v('turnkey_packs', { state: 'notified' })).toBe(0);

    expect(v('turnkey_deadline_at_risk_messages', { type: 'F0401' })).toBe(2);
    expect(v('turnkey_deadline_overdue_messages')).toBe(1);
    expect(v('turnkey_sending_state', { state: 'sending' })).toBe(1);
    expect(v('turnkey_sending_paused')).toBe(0);
    expect(v('turnkey_breaker_state', { state: 'closed' })).toBe(1);
    expect(v('turnkey_breaker_consecutive_failures')).toBe(1);
    expect(v('turnkey_daemon_state', { state: 'running' })).toBe(1);
    expect(v('turnkey_daemon_heartbeat_age_seconds')).toBe(0);
    expect(v('turnkey_metrics_collect_seconds')).toBeGreaterThan(0);
    for (const name of new Set([...m.keys()].map((k) => k.replace(/\{.*$/, '')))) expect(name).toMatch(/^turnkey_/);
  });

  it('keeps the counts up from what happened since the last scrape, equal to counting everything again', async () => {
    const { underWay, uploadedPack } = populate();
    running();
    const metrics = new StoreMetrics(store.db, settings());
    const base = await serve(metrics);
    await fetch(`${base}/metrics`).then((r) => r.text());

    // Between two scrapes: the attempt under way ends, the pack goes through, a result settles it,
    // another file is refused, sending pauses and the breaker opens.
    packs.endAttempt(underWay, 'ok');
    packs.fileUploaded(uploadedPack);
    const notify = packs.startAttempt(uploadedPack, 'notify');
    packs.endAttempt(notify.attemptId, 'refused', { errorCode: 'E0001 with a space' });
    const retry = packs.startAttempt(uploadedPack, 'notify');
    packs.endAttempt(retry.attemptId, 'ok', { statusCode: 0 });
    packs.notified(uploadedPack, 'file-uploaded');
    const ids = new OutboundQueries(store.db).messagesOf(uploadedPack).map((m) => m.messageId);
    packs.settle(
      uploadedPack,
      ids.map((messageId) => ({ messageId, verdict: 'confirmed', code: null, text: null })),
      () => {},
    );
    const invalid = receive({ messageType: 'E0401', errorCode: 'schema', holdsKey: false });
    messages.move(invalid, 'received', 'invalid', { code: 'schema' });
    new SendingState(store.db, () => clock).pause('sending', 1, 'maintenance', 'a window');
    const breaker = new CircuitBreaker(store.db, { failureThreshold: 2, openMs: 1000, maxOpenMs: 2000 }, () => clock);
    breaker.failed('etimedout');
    breaker.failed('etimedout');
    clock += 5_000;
    lifecycle.heartbeat(process.pid);

    const m = parseMetrics(await fetch(`${base}/metrics`).then((r) => r.text()));
    const v = (name: string, labels?: Record<string, string>) => m.get(key(name, labels));
    const counts = new MessageQueries(store.db).countByTypeAndState();
    for (const [type, states] of Object.entries(counts.byType)) {
      for (const [state, n] of Object.entries(states)) expect(v('turnkey_messages', { type, state }), `${type} ${state}`).toBe(n);
    }
    expect(v('turnkey_messages', { type: 'F0401', state: 'confirmed' })).toBe(5);
    expect(v('turnkey_messages', { type: 'E0401', state: 'invalid' })).toBe(1);
    expect(v('turnkey_messages', { type: 'F0401', state: 'packed' })).toBe(0);
    expect(v('turnkey_attempts_total', { stage: 'upload', outcome: 'ok' })).toBe(2);
    expect(v('turnkey_attempts_total', { stage: 'notify', outcome: 'ok' })).toBe(2);
    expect(v('turnkey_attempts_total', { stage: 'notify', outcome: 'refused' })).toBe(1);
    expect(v('turnkey_attempt_failures_total', { stage: 'notify', code: 'other' })).toBe(1);
    expect(v('turnkey_attempts_in_flight')).toBe(0);
    expect(v('turnkey_sending_state', { state: 'paused' })).toBe(1);
    expect(v('turnkey_sending_state', { state: 'sending' })).toBe(0);
    expect(v('turnkey_sending_paused')).toBe(1);
    expect(v('turnkey_breaker_state', { state: 'open' })).toBe(1);
    expect(v('turnkey_breaker_consecutive_failures')).toBe(2);

    // A fresh reader (a restart) counts the same from scratch.
    const fresh = parseMetrics((await new StoreMetrics(store.db, settings()).metrics()).text);
    for (const [k, value] of m) if (!k.startsWith('turnkey_metrics_collect_seconds')) expect(fresh.get(k), k).toBe(value);
  });

  it('reads the store without writing, and only through indexes (no scan of messages, events or attempts per scrape)', () => {
    populate();
    const metrics = new StoreMetrics(store.db, settings());
    metrics.prime();
    const changes = store.db.prepare('SELECT total_changes()').pluck();
    const before = changes.get();
    metrics.refresh();
    expect(changes.get()).toBe(before);
    const statements = (metrics as unknown as { q: Record<string, Statement> }).q;
    const perScrape = ['counts', 'oldest', 'attemptsSince', 'attemptsById', 'openPacks', 'openProblems'];
    for (const name of perScrape) {
      const plan = store.db
        .prepare(`EXPLAIN QUERY PLAN ${statements[name]!.source}`)
        .all(...placeholders(statements[name]!.source))
        .map((r) => (r as { detail: string }).detail)
        .join(' | ');
      expect(plan, name).not.toMatch(/SCAN (messages|message_events|attempts|packs|m|e)\b/);
    }
    for (const statement of Object.values(statements)) expect(statement.readonly).toBe(true);
  });

  it('adds prom-client’s process metrics when asked', async () => {
    running();
    const metrics = new StoreMetrics(store.db, settings({ processMetrics: true }));
    const text = (await metrics.metrics()).text;
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  describe('/healthz', () => {
    const health = async (base: string) => {
      const res = await fetch(`${base}/healthz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it('is 200 while the lifecycle row says this process runs with a fresh heartbeat, else 503 with why', async () => {
      const base = await serve();
      expect(await health(base)).toEqual({ status: 503, body: { status: 'unavailable', reason: 'no daemon has started on this store' } });

      lifecycle.begin({ pid: process.pid, hostname: 'test', version: '0.1.0' });
      expect(await health(base)).toMatchObject({ status: 503, body: { reason: 'the daemon is starting', state: 'starting' } });

      lifecycle.enter(process.pid, 'running');
      clock += 10_000;
      expect(await health(base)).toEqual({
        status: 200,
        body: { status: 'ok', state: 'running', pid: process.pid, heartbeatAgeSeconds: 10, uptimeSeconds: 10 },
      });

      clock += 10_000; // 20 s without a heartbeat
      expect(await health(base)).toMatchObject({ status: 503, body: { reason: 'the last heartbeat is 20 s old' } });
      lifecycle.heartbeat(process.pid);
      expect((await health(base)).status).toBe(200);

      lifecycle.enter(process.pid, 'draining');
      expect(await health(base)).toMatchObject({ status: 503, body: { reason: 'the daemon is draining' } });
    });

    it('is 503 when the row names another process, or the store does not answer', async () => {
      lifecycle.begin({ pid: process.pid + 1, hostname: 'test', version: '0.1.0' });
      lifecycle.enter(process.pid + 1, 'running');
      const base = await serve();
      expect(await health(base)).toMatchObject({ status: 503, body: { reason: expect.stringMatching(/is process \d+, not this one/) } });
      store.close();
      expect(await health(base)).toMatchObject({ status: 503, body: { reason: expect.stringMatching(/^the store does not answer/) } });
      expect((await fetch(`${base}/metrics`)).status).toBe(503);
    });
  });

  it('serves nothing else: 404 for other paths, 405 for other methods, 421 for a foreign Host header', async () => {
    running();
    const base = await serve();
    for (const path of ['/', '/metrics/', '/health', '/healthz/x', '/favicon.ico', '/METRICS']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${base}/healthz?verbose=1`)).status).toBe(200);
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const port = Number(new URL(base).port);
    const withHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/metrics', headers: { Host: host } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await withHost('evil.example:80')).toBe(421);
    expect(await withHost('127.0.0.1.nip.io')).toBe(421);
    expect(await withHost(`localhost:${port}`)).toBe(200);
  });

  it('listens on 127.0.0.1 only, and refuses to be made for any other host', async () => {
    running();
    const base = await serve();
    const port = Number(new URL(base).port);
    expect(port).toBeGreaterThan(0);
    const reachable = (host: string) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host, port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    expect(await reachable('127.0.0.1')).toBe(true);
    expect(await reachable('::1')).toBe(false);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal)
      .map((a) => a!.address);
    for (const address of external) expect(await reachable(address), address).toBe(false);

    const metrics = new StoreMetrics(store.db, settings());
    for (const host of ['0.0.0.0', '::', '::1', 'localhost', '192.168.1.10', '']) {
      expect(() => new MetricsServer(metrics, { host, port: 0 }), host).toThrow(/127\.0\.0\.1 only/);
    }
    expect(MetricsServer.parseListen('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    for (const listen of ['0.0.0.0:9464', 'localhost:9464', '[::1]:9464', ':9464', '9464', '127.0.0.1:99999']) {
      expect(() => MetricsServer.parseListen(listen), listen).toThrow();
    }
    // The port taken: start fails with the reason, and nothing is left listening.
    const second = new MetricsServer(metrics, { host: '127.0.0.1', port });
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
  });
});

/** Placeholder values for EXPLAIN of a statement (`?` or `@name`). */
function placeholders(sql: string): unknown[] {
  const named = [...sql.matchAll(/@(\w+)/g)].map((m) => m[1]!);
  if (named.length) return [Object.fromEntries(named.map((n) => [n, 0]))];
  return Array.from(sql.matchAll(/\?/g), () => '[]');
}
