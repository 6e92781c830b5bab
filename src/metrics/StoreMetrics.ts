import type { Database, Statement, Transaction } from 'better-sqlite3';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { CircuitBreaker } from '../outbound/CircuitBreaker.js';
import { DAEMON_STATES, DaemonLifecycle } from '../store/DaemonLifecycle.js';
import { Deadlines } from '../store/Deadlines.js';
import { SendingState } from '../store/SendingState.js';
import { MESSAGE_STATES, PACK_ALLOWED, PACK_STATES, type MessageState } from '../store/states.js';

export interface StoreMetricsSettings {
  /** Message types shown even before they have a message (zeros): the configuration's `intake.messageTypes`. */
  messageTypes?: readonly string[];
  /** A message is at risk when its legal deadline is this close (`deadlines.atRiskHours`). */
  atRiskMs: number;
  /** `/healthz` fails when the daemon's last heartbeat is older than this (a few `daemon.heartbeatSeconds`). */
  heartbeatMaxAgeMs: number;
  /** The process the lifecycle row must name for `/healthz` to pass. Default: this one. */
  pid?: number;
  /** prom-client's process and Node.js metrics (`process_*`, `nodejs_*`: memory, CPU, event-loop lag, GC). Default: on. */
  processMetrics?: boolean;
  /** Scrapes closer together than this share one reading of the store (1 s). */
  minRefreshMs?: number;
  now?: () => number;
}

export interface HealthReport {
  /** 200 or 503. */
  status: number;
  body: Record<string, unknown>;
}

/** What the metrics endpoint serves; StoreMetrics is the daemon's. */
export interface MetricsSource {
  /** The one-time readings, before the first scrape (start-up rather than a scrape pays for them). */
  prime?(): void;
  metrics(): Promise<{ contentType: string; text: string }>;
  health(): HealthReport;
}

/** Waiting to reach the platform: the backlog. */
const BACKLOG: readonly MessageState[] = ['received', 'queued', 'packed'];
/** Packs not yet over (few, whatever the store's size: the others are settled or refused). */
const OPEN_PACKS = PACK_STATES.filter((s) => PACK_ALLOWED[s].length > 0);
const SENDING_STATES = ['sending', 'paused', 'resuming'] as const;
const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

const sqlList = (values: readonly string[]): string => `(${values.map((v) => `'${v}'`).join(', ')})`;

/** A failure's code as a label: a stable code as it is, anything else (or the 101st distinct code) `other`. */
const CODE_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const MAX_CODES = 100;

/**
 * The daemon's metrics in Prometheus' text format (prom-client), read from the store at scrape
 * time, and its health. Every query is a short read, in one read transaction (a consistent
 * picture; never a write: each statement is checked `readonly` when prepared), and cheap on a
 * store of a million messages, so that a scrape never holds the daemon's event loop for long:
 * - messages per type and state are the counts MessageTransitions keeps (`message_counts`);
 * - attempts are counted once, then only the new ones and the ones that were under way;
 * - the backlog's oldest message is the first id of each waiting state in `messages_state`
 *   (ids grow with time): three index probes;
 * - deadlines (Deadlines.atRisk), the sending state, the circuit breaker, the lifecycle row and the
 *   open problems are a few rows each.
 * Keeping the attempt counts up relies on what the store guarantees: attempts are never deleted, and
 * an attempt never changes once ended. A restart counts them again.
 */
export class StoreMetrics implements MetricsSource {
  readonly registry = new Registry();
  private readonly now: () => number;
  private readonly pid: number;
  private readonly minRefreshMs: number;
  private readonly read: Transaction<() => void>;
  private readonly deadlines: Deadlines;
  private readonly sending: SendingState;
  private readonly breaker: CircuitBreaker;
  private readonly lifecycle: DaemonLifecycle;
  private readonly q: Record<
    | 'counts'
    | 'oldest'
    | 'lastAttempt'
    | 'attemptTotals'
    | 'attemptsUnderWay'
    | 'attemptsSince'
    | 'attemptsById'
    | 'openPacks'
    | 'openProblems',
    Statement
  >;

  private primed = false;
  private refreshedAt = Number.NEGATIVE_INFINITY;
  /** Message types seen or configured. */
  private readonly types = new Set<string>();
  /** Ended attempts per `stage\0outcome` and failures per `stage\0code`; every attempt up to `lastAttempt` is in them or under way. */
  private readonly attempts = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly codes = new Set<string>();
  private readonly underWay = new Set<number>();
  private lastAttempt = 0;

  private readonly g: ReturnType<typeof createMetrics>;

  constructor(
    private readonly db: Database,
    private readonly settings: StoreMetricsSettings,
  ) {
    this.now = settings.now ?? Date.now;
    this.pid = settings.pid ?? process.pid;
    this.minRefreshMs = settings.minRefreshMs ?? 1000;
    for (const type of settings.messageTypes ?? []) this.types.add(type);
    const prepare = (sql: string): Statement => {
      const statement = db.prepare(sql);
      if (!statement.readonly) throw new Error(`a metrics query would write: ${sql}`);
      return statement;
    };
    this.q = {
      counts: prepare('SELECT message_type AS type, state, n FROM message_counts'),
      oldest: prepare('SELECT received_at FROM messages WHERE id = (SELECT min(id) FROM messages WHERE state = ?)').pluck(),
      lastAttempt: prepare('SELECT COALESCE(max(id), 0) FROM attempts').pluck(),
      attemptTotals: prepare(`
        SELECT stage, outcome, error_code AS code, count(*) AS n FROM attempts
         WHERE id <= ? AND ended_at IS NOT NULL GROUP BY stage, outcome, error_code`),
      attemptsUnderWay: prepare('SELECT id FROM attempts WHERE id <= ? AND ended_at IS NULL').pluck(),
      attemptsSince: prepare('SELECT id, stage, outcome, error_code AS code, ended_at AS endedAt FROM attempts WHERE id > ? ORDER BY id'),
      attemptsById: prepare(`
        SELECT id, stage, outcome, error_code AS code, ended_at AS endedAt FROM attempts
         WHERE id IN (SELECT value FROM json_each(?))`),
      openPacks: prepare(`SELECT state, count(*) AS n FROM packs WHERE state IN ${sqlList(OPEN_PACKS)} GROUP BY state`),
      openProblems: prepare('SELECT area, count(*) AS n FROM problems WHERE resolved_at IS NULL GROUP BY area'),
    };
    this.deadlines = new Deadlines(db);
    this.sending = new SendingState(db);
    this.breaker = new CircuitBreaker(db);
    this.lifecycle = new DaemonLifecycle(db);
    // Deferred: a read transaction, so that every figure of a scrape comes from one moment.
    this.read = db.transaction(() => this.readStore());
    this.g = createMetrics(this.registry);
    if (settings.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts what only grows, once (a full index scan: at start-up, not in a scrape). */
  prime(): void {
    if (this.primed) return;
    this.db
      .transaction(() => {
        this.lastAttempt = this.q.lastAttempt.get() as number;
        for (const row of this.q.attemptTotals.all(this.lastAttempt) as AttemptGroup[]) this.count(row, row.n);
        for (const id of this.q.attemptsUnderWay.all(this.lastAttempt) as number[]) this.underWay.add(id);
      })
      .deferred();
    this.primed = true;
  }

  async metrics(): Promise<{ contentType: string; text: string }> {
    this.refresh();
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  /** Reads the store into the metrics (at most once per `minRefreshMs`). */
  refresh(): void {
    const started = performance.now();
    if (this.now() - this.refreshedAt < this.minRefreshMs) return;
    this.prime();
    this.read.deferred();
    this.refreshedAt = this.now();
    this.g.collectSeconds.set((performance.now() - started) / 1000);
  }

  /** 200 when the store answers and its lifecycle row says this process runs, with a recent heartbeat; else 503 and why. */
  health(): HealthReport {
    const unavailable = (reason: string, more: Record<string, unknown> = {}): HealthReport => ({
      status: 503,
      body: { status: 'unavailable', reason, ...more },
    });
    let row;
    try {
      row = this.lifecycle.read();
    } catch (err) {
      return unavailable(`the store does not answer: ${(err as Error).message}`);
    }
    if (!row) return unavailable('no daemon has started on this store');
    const now = this.now();
    const facts = { state: row.state, pid: row.pid, heartbeatAgeSeconds: Math.max(0, (now - row.heartbeatAt) / 1000) };
    if (row.pid !== this.pid) return unavailable(`the store's daemon is process ${row.pid}, not this one (${this.pid})`, facts);
    if (row.state !== 'running') return unavailable(`the daemon is ${row.state}`, facts);
    if (now - row.heartbeatAt > this.settings.heartbeatMaxAgeMs) {
      return unavailable(`the last heartbeat is ${Math.round((now - row.heartbeatAt) / 1000)} s old`, facts);
    }
    return { status: 200, body: { status: 'ok', ...facts, uptimeSeconds: Math.max(0, (now - row.startedAt) / 1000) } };
  }

  private readStore(): void {
    const { g } = this;
    const now = this.now();

    // Messages: the counts per type and state MessageTransitions keeps.
    const counts = new Map<string, number>();
    for (const row of this.q.counts.all() as Array<{ type: string; state: string; n: number }>) {
      this.types.add(row.type);
      counts.set(`${row.type}\0${row.state}`, row.n);
    }
    g.messages.reset();
    for (const type of this.types) {
      for (const state of MESSAGE_STATES) g.messages.set({ type, state }, counts.get(`${type}\0${state}`) ?? 0);
    }
    for (const state of BACKLOG) {
      const oldest = this.q.oldest.get(state) as number | undefined;
      g.backlogAge.set({ state }, oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000));
    }

    // Attempts: the ones under way that ended since, and the new ones.
    if (this.underWay.size > 0) {
      const rows = this.q.attemptsById.all(JSON.stringify([...this.underWay])) as AttemptRow[];
      const found = new Set<number>();
      for (const row of rows) {
        found.add(row.id);
        if (row.endedAt !== null) {
          this.count(row, 1);
          this.underWay.delete(row.id);
        }
      }
      for (const id of this.underWay) if (!found.has(id)) this.underWay.delete(id);
    }
    for (const row of this.q.attemptsSince.all(this.lastAttempt) as AttemptRow[]) {
      if (row.endedAt === null) this.underWay.add(row.id);
      else this.count(row, 1);
      this.lastAttempt = row.id;
    }
    g.attempts.reset();
    for (const [key, n] of this.attempts) {
      const [stage, outcome] = key.split('\0') as [string, string];
      g.attempts.inc({ stage, outcome }, n);
    }
    g.failures.reset();
    for (const [key, n] of this.failures) {
      const [stage, code] = key.split('\0') as [string, string];
      g.failures.inc({ stage, code }, n);
    }
    g.attemptsUnderWay.set(this.underWay.size);

    const packs = new Map((this.q.openPacks.all() as Array<{ state: string; n: number }>).map((r) => [r.state, r.n]));
    for (const state of OPEN_PACKS) g.packs.set({ state }, packs.get(state) ?? 0);

    const risk = this.deadlines.atRisk(now, this.settings.atRiskMs);
    g.atRisk.reset();
    for (const type of this.types) g.atRisk.set({ type }, risk.byType[type] ?? 0);
    for (const [type, n] of Object.entries(risk.byType)) g.atRisk.set({ type }, n);
    g.overdue.set(risk.overdue);

    const sending = this.sending.read();
    for (const state of SENDING_STATES) g.sendingState.set({ state }, sending.state === state ? 1 : 0);
    g.sendingPaused.set(sending.state === 'sending' ? 0 : 1);

    const breaker = this.breaker.snapshot();
    for (const state of BREAKER_STATES) g.breakerState.set({ state }, breaker.state === state ? 1 : 0);
    g.breakerFailures.set(breaker.consecutiveFailures);

    const daemon = this.lifecycle.read();
    for (const state of DAEMON_STATES) g.daemonState.set({ state }, daemon?.state === state ? 1 : 0);
    g.heartbeatAge.set(daemon ? Math.max(0, (now - daemon.heartbeatAt) / 1000) : Number.NaN);

    g.problems.reset();
    for (const row of this.q.openProblems.all() as Array<{ area: string; n: number }>) g.problems.set({ area: row.area }, row.n);
  }

  private count(row: { stage: string; outcome: string | null; code: string | null }, n: number): void {
    const outcome = row.outcome ?? 'none';
    const key = `${row.stage}\0${outcome}`;
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + n);
    if (outcome === 'ok') return;
    const failure = `${row.stage}\0${this.codeLabel(row.code)}`;
    this.failures.set(failure, (this.failures.get(failure) ?? 0) + n);
  }

  private codeLabel(code: string | null): string {
    if (code === null) return 'none';
    if (!CODE_LABEL.test(code)) return 'other';
    if (!this.codes.has(code)) {
      if (this.codes.size >= MAX_CODES) return 'other';
      this.codes.add(code);
    }
    return code;
  }
}

interface AttemptRow {
  id: number;
  stage: string;
  outcome: string | null;
  code: string | null;
  endedAt: number | null;
}

type AttemptGroup = Omit<AttemptRow, 'id' | 'endedAt'> & { n: number };

/** The metrics, each named `turnkey_*` with its help text. */
function createMetrics(registry: Registry) {
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });
  return {
    messages: gauge('turnkey_messages', 'Messages in the store, by message type and state.', ['type', 'state']),
    backlogAge: gauge(
      'turnkey_backlog_oldest_age_seconds',
      'Age (since it was received) of the oldest message waiting in each state before the platform has it; 0 when none waits.',
      ['state'],
    ),
    attempts: new Counter<'stage' | 'outcome'>({
      name: 'turnkey_attempts_total',
      help: 'Attempts at sending packs that ended, by stage (upload, notify) and outcome (ok, failed, unknown, refused).',
      labelNames: ['stage', 'outcome'],
      registers,
    }),
    failures: new Counter<'stage' | 'code'>({
      name: 'turnkey_attempt_failures_total',
      help: 'Attempts that did not end ok, by stage and error code (transport or platform code; none, or other for an odd one).',
      labelNames: ['stage', 'code'],
      registers,
    }),
    attemptsUnderWay: gauge('turnkey_attempts_in_flight', 'Attempts under way (started, not yet ended).'),
    packs: gauge('turnkey_packs', 'Packs not yet over (neither settled nor refused), by state.', ['state']),
    atRisk: gauge(
      'turnkey_deadline_at_risk_messages',
      'Messages the platform does not have yet whose legal upload deadline is within deadlines.atRiskHours or past, by type.',
      ['type'],
    ),
    overdue: gauge('turnkey_deadline_overdue_messages', 'Messages the platform does not have yet whose legal upload deadline has passed.'),
    sendingState: gauge(
      'turnkey_sending_state',
      'Whether sending is on (sending), held by a maintenance window (paused) or about to start again (resuming): 1 for the current state.',
      ['state'],
    ),
    sendingPaused: gauge('turnkey_sending_paused', '1 while a maintenance window holds sending (paused or resuming), else 0.'),
    breakerState: gauge('turnkey_breaker_state', "The circuit breaker's state (closed, open, half-open): 1 for the current one.", [
      'state',
    ]),
    breakerFailures: gauge('turnkey_breaker_consecutive_failures', 'Consecutive platform failures counted by the circuit breaker.'),
    daemonState: gauge('turnkey_daemon_state', "The daemon's lifecycle state as recorded in the store: 1 for the current one.", ['state']),
    heartbeatAge: gauge('turnkey_daemon_heartbeat_age_seconds', "Seconds since the daemon's last heartbeat in the store."),
    problems: gauge('turnkey_problems_open', 'Open problems an operator should act on (turnkey status), by area.', ['area']),
    collectSeconds: gauge('turnkey_metrics_collect_seconds', 'How long reading these metrics from the store took, at the last scrape.'),
  };
}
