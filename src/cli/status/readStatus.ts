import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3';
import type { TurnkeyConfig } from '../../config/types.js';
import { HOLD } from '../../outbound/SendingHolds.js';
import { DaemonLifecycle, type DaemonState } from '../../store/DaemonLifecycle.js';
import { MessageQueries, type MessageCounts } from '../../store/MessageQueries.js';
import { BlankReports } from '../../store/BlankReports.js';
import { Store } from '../../store/Store.js';
import { periodOfTime, shiftPeriod } from '../../time/periods.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import type { Lang } from '../../validation/messages.js';
import { fixFor } from './fixes.js';
import { readOutboundStatus, type OutboundStatus } from './readOutboundStatus.js';
import { readProblems, type StatusProblem } from './readProblems.js';
import { readScheduleStatus, type ScheduleStatus } from './readSchedule.js';
import { processExists } from '../../fs/processExists.js';

export interface DaemonStatus {
  /** The lifecycle state last written by the daemon; null when no daemon ever started here. */
  state: DaemonState | null;
  pid: number | null;
  heartbeatAgeSeconds: number | null;
  /** Whether a daemon is alive: state not stopped, heartbeat fresh, and (same host) its pid exists. */
  running: boolean;
  hostname: string | null;
  version: string | null;
  /** When it started (Taiwan time). */
  startedAt: string | null;
  /** Why `running` is false although the state says otherwise. */
  note: string | null;
}

/** Whether sending goes on, and if not every reason why. */
export interface PausedStatus {
  /** True while nothing is sent: a window, a held sender, an open circuit. */
  paused: boolean;
  /** The sending gate's state: `sending`, `paused` (a window) or `resuming` (just after one). */
  state: 'sending' | 'paused' | 'resuming';
  since: string | null;
  reasons: Array<{ kind: 'window' | 'hold' | 'breaker'; code: string; detail: string; until: string | null }>;
  window: ScheduleStatus['paused']['window'];
  resumeAt: string | null;
}

export interface BacklogStatus {
  /** Messages taken but not yet at the platform: received, queued, packed. */
  waiting: number;
  /** The oldest of them. */
  oldest: { messageId: number; messageType: string; number: string | null; receivedAt: string; ageSeconds: number } | null;
}

export interface ActivityStatus {
  lastHour: { attempts: number; failures: number };
  lastUpload: string | null;
  lastConfirmation: string | null;
}

export interface StatusReport {
  /** No problem an operator should act on: `turnkey status` exits 0 (else 1). */
  healthy: boolean;
  daemon: DaemonStatus;
  paused: PausedStatus | null;
  counts: MessageCounts;
  backlog: BacklogStatus;
  activity: ActivityStatus | null;
  deadlines: ScheduleStatus['deadlines'] | null;
  /** Failed and rejected messages no operator has acknowledged yet (`turnkey ack`). */
  needsAction: { failed: number; rejected: number };
  /** Conditions, each with a stable code, the fix and its severity; those to act on first. */
  problems: StatusProblem[];
  certificates: Array<{ partyId: string; subject: string; notAfter: string; daysLeft: number }>;
  nextWindow: ScheduleStatus['nextWindow'];
  /** The sending side; null before the store has it. */
  outbound: OutboundStatus | null;
  /** Track stock of the current period (as the tracks job last judged it: see problems) and the last period's E0402. */
  tracks: TracksStatus | null;
  /** The scheduled jobs (with `--json` only: working out their next runs costs time). */
  schedules: ScheduleStatus['schedules'];
  /** Where messages go, and the one setting that widens whom the daemon trusts there (an extra CA); null: intake only. */
  platform: { mode: 'sandbox' | 'remote'; gateway: string; extraCaFile: string | null } | null;
  configFile: string;
  dataRoot: string;
  database: string;
}

const DAY_MS = 86_400_000;

export interface TracksStatus {
  current: { period: string; ranges: number; numbers: number; bans: string[] };
  previous: { period: string; ranges: number; blankReports: Array<{ fileName: string; state: string; ranges: number; numbers: number }> };
}

/** What is known of tracks, from the allocation and report tables only (usage is the tracks job's, through problems). */
function readTracks(db: Database, now: number): TracksStatus {
  const current = periodOfTime(now);
  const previous = shiftPeriod(current, -1);
  const of = (period: string) =>
    db
      .prepare(
        `SELECT count(*) AS ranges, coalesce(sum(end_no - begin_no + 1), 0) AS numbers, group_concat(DISTINCT ban) AS bans
                  FROM track_allocations WHERE period = ? AND head_ban IS NULL`,
      )
      .get(period) as { ranges: number; numbers: number; bans: string | null };
  const held = of(current);
  const before = of(previous);
  const reports = new BlankReports(db).ofPeriod(previous);
  return {
    current: { period: current, ranges: held.ranges, numbers: held.numbers, bans: held.bans ? held.bans.split(',') : [] },
    previous: {
      period: previous,
      ranges: before.ranges,
      blankReports: reports.map((r) => ({ fileName: r.fileName, state: r.state, ranges: r.ranges, numbers: r.numbers })),
    },
  };
}

/**
 * Reads the store read-only (WAL: it never blocks the daemon) with short indexed queries, so that it
 * answers at once on a store of millions of messages while the daemon takes files at full speed.
 */
export function readStatus(config: TurnkeyConfig, options: { now?: number; lang?: Lang; schedules?: boolean } = {}): StatusReport {
  const now = options.now ?? Date.now();
  const lang = options.lang ?? config.validation.lang;
  const store = Store.openReadOnly(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    const db = store.db;
    const version = db.pragma('user_version', { simple: true }) as number;
    const daemon = readDaemon(db, config, now);
    const counts = new MessageQueries(db).countByTypeAndState();
    for (const type of config.intake.messageTypes) counts.byType[type] ??= {};
    const outbound = readOutboundStatus(db, config, now);
    const schedule = readScheduleStatus(db, config, now, options.schedules ?? false);
    const needsAction = version >= 8 ? unacknowledged(db) : { failed: counts.byState.failed, rejected: counts.byState.rejected };
    const problems = [
      ...derivedProblems({ daemon, needsAction, deadlines: schedule?.deadlines ?? null, outbound, now, lang }),
      ...readProblems(db, now, lang),
    ].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'action' ? -1 : 1));
    return {
      healthy: !problems.some((p) => p.severity === 'action'),
      daemon,
      paused: schedule && outbound ? pausedStatus(schedule.paused, problems, outbound) : null,
      counts,
      backlog: readBacklog(db, counts, now),
      activity: version >= 8 ? readActivity(db, now) : null,
      deadlines: schedule?.deadlines ?? null,
      needsAction,
      problems,
      certificates: version >= 8 ? readCertificates(db, now) : [],
      nextWindow: schedule?.nextWindow ?? null,
      outbound,
      tracks: version >= 9 ? readTracks(db, now) : null,
      schedules: schedule?.schedules ?? [],
      platform: config.platform && {
        mode: config.platform.mode,
        gateway: config.platform.gateway.baseUrl,
        extraCaFile: config.platform.gateway.caFile,
      },
      configFile: config.configFile,
      dataRoot: config.dataRoot,
      database: config.database,
    };
  } finally {
    store.close();
  }
}

function readDaemon(db: Database, config: TurnkeyConfig, now: number): DaemonStatus {
  const record = new DaemonLifecycle(db).read();
  if (!record) {
    return {
      state: null,
      pid: null,
      heartbeatAgeSeconds: null,
      running: false,
      hostname: null,
      version: null,
      startedAt: null,
      note: 'no daemon has run on this store yet',
    };
  }
  const age = Math.max(0, (now - record.heartbeatAt) / 1000);
  // Three missed heartbeats (at least 15 s) mean the daemon is gone, whatever its row says.
  const staleAfter = Math.max(15, 3 * config.daemon.heartbeatSeconds);
  let running = record.state !== 'stopped';
  let note: string | null = null;
  if (running && record.hostname === hostname() && !processExists(record.pid)) {
    running = false;
    note = `process ${record.pid} no longer exists: the daemon ended without a clean stop (the next start recovers)`;
  } else if (running && age > staleAfter) {
    running = false;
    note = `no heartbeat for ${Math.round(age)} s: the daemon ended without a clean stop or is hung`;
  }
  return {
    state: record.state,
    pid: record.pid,
    heartbeatAgeSeconds: Math.round(age * 10) / 10,
    running,
    hostname: record.hostname,
    version: record.version,
    startedAt: toTaiwanIso(new Date(record.startedAt)),
    note,
  };
}

/** The oldest waiting message: the first entry of each waiting state in the state index (ids grow with time). */
function readBacklog(db: Database, counts: MessageCounts, now: number): BacklogStatus {
  const waiting = counts.byState.received + counts.byState.queued + counts.byState.packed;
  if (waiting === 0) return { waiting, oldest: null };
  const first = db.prepare(`
    SELECT id, message_type AS messageType, invoice_number AS number, received_at AS receivedAt
      FROM messages WHERE state = ? ORDER BY id LIMIT 1`);
  let oldest: { id: number; messageType: string; number: string | null; receivedAt: number } | undefined;
  for (const state of ['received', 'queued', 'packed']) {
    const row = first.get(state) as typeof oldest;
    if (row && (!oldest || row.id < oldest.id)) oldest = row;
  }
  return {
    waiting,
    oldest: oldest
      ? {
          messageId: oldest.id,
          messageType: oldest.messageType,
          number: oldest.number,
          receivedAt: toTaiwanIso(new Date(oldest.receivedAt)),
          ageSeconds: Math.round((now - oldest.receivedAt) / 1000),
        }
      : null,
  };
}

function readActivity(db: Database, now: number): ActivityStatus {
  const hour = db
    .prepare(
      "SELECT count(*) AS attempts, coalesce(sum(outcome IS NOT NULL AND outcome <> 'ok'), 0) AS failures FROM attempts WHERE started_at " +
        '>= ?',
    )
    .get(now - 3600_000) as { attempts: number; failures: number };
  const upload = db
    .prepare("SELECT ended_at FROM attempts WHERE stage = 'notify' AND outcome = 'ok' ORDER BY started_at DESC LIMIT 1")
    .pluck()
    .get() as number | undefined;
  const confirmation = db.prepare("SELECT max(ended_at) FROM packs WHERE state = 'settled'").pluck().get() as number | null;
  return {
    lastHour: hour,
    lastUpload: upload ? toTaiwanIso(new Date(upload)) : null,
    lastConfirmation: confirmation ? toTaiwanIso(new Date(confirmation)) : null,
  };
}

function unacknowledged(db: Database): { failed: number; rejected: number } {
  const rows = db
    .prepare("SELECT state, count(*) AS n FROM messages WHERE state IN ('rejected', 'failed') AND acknowledged_at IS NULL GROUP BY state")
    .all() as Array<{ state: 'rejected' | 'failed'; n: number }>;
  const out = { failed: 0, rejected: 0 };
  for (const r of rows) out[r.state] = r.n;
  return out;
}

function readCertificates(db: Database, now: number): StatusReport['certificates'] {
  const rows = db
    .prepare('SELECT party_id AS partyId, subject, not_after AS notAfter FROM sender_certificates ORDER BY party_id')
    .all() as Array<{ partyId: string; subject: string; notAfter: number }>;
  return rows.map((r) => ({
    partyId: r.partyId,
    subject: r.subject,
    notAfter: toTaiwanIso(new Date(r.notAfter)),
    daysLeft: Math.floor((r.notAfter - now) / DAY_MS),
  }));
}

/** The problems the store does not keep as rows: the daemon, messages to act on, deadlines, the platform. */
function derivedProblems(facts: {
  daemon: DaemonStatus;
  needsAction: { failed: number; rejected: number };
  deadlines: ScheduleStatus['deadlines'] | null;
  outbound: OutboundStatus | null;
  now: number;
  lang: Lang;
}): StatusProblem[] {
  const at = toTaiwanIso(new Date(facts.now));
  const problem = (code: string, area: string, subject: string, detail: string, count: number, severity: 'action' | 'info') => ({
    code,
    area,
    subject,
    detail,
    since: at,
    lastSeen: at,
    count,
    fix: fixFor(code, facts.lang),
    severity,
  });
  const out: StatusProblem[] = [];
  const d = facts.daemon;
  if (!d.running) {
    const detail = d.state === null ? 'no daemon has run on this store yet' : (d.note ?? `the daemon is ${d.state}`);
    out.push(problem('daemon-not-running', 'daemon', 'daemon', detail, 1, 'action'));
  }
  const { failed, rejected } = facts.needsAction;
  if (failed > 0) {
    out.push(
      problem('messages-failed', 'sending', 'failed messages', `${failed} message(s) failed and are not acknowledged`, failed, 'action'),
    );
  }
  if (rejected > 0) {
    const detail = `${rejected} message(s) rejected by the platform and not acknowledged`;
    out.push(problem('messages-rejected', 'results', 'rejected messages', detail, rejected, 'action'));
  }
  const risk = facts.deadlines;
  if (risk && risk.atRisk > 0) {
    const first = risk.first
      ? `; the first (${risk.first.messageType} ${risk.first.invoiceNumber ?? `#${risk.first.messageId}`}) is due ${risk.first.deadline}`
      : '';
    const detail = `${risk.atRisk} message(s) not yet uploaded are due within ${risk.atRiskHours} h, ${risk.overdue} already late${first}`;
    out.push(problem('deadline-at-risk', 'sending', 'legal deadlines', detail, risk.atRisk, 'action'));
  }
  const breaker = facts.outbound?.breaker;
  if (breaker && breaker.state !== 'closed') {
    const detail =
      `${breaker.consecutiveFailures} failure(s) in a row (last: ${breaker.lastErrorCode}); next try ` + `${breaker.retryAtIso ?? 'soon'}`;
    out.push(problem('breaker-open', 'sending', 'platform', detail, breaker.consecutiveFailures, 'info'));
  }
  const stuck = facts.outbound?.stuck ?? [];
  if (stuck.length > 0) {
    const messages = stuck.reduce((n, s) => n + s.messages, 0);
    const detail = `${stuck.length} pack(s), ${messages} message(s), waiting for a result longer than expected`;
    out.push(problem('stuck-uploaded', 'results', 'packs without result', detail, stuck.length, 'info'));
  }
  return out;
}

/** Why nothing is sent, if so: a window, an operator condition, an open circuit. */
function pausedStatus(gate: ScheduleStatus['paused'], problems: StatusProblem[], outbound: OutboundStatus): PausedStatus {
  const reasons: PausedStatus['reasons'] = [];
  if (gate.state !== 'sending') {
    reasons.push({
      kind: 'window',
      code: gate.state === 'paused' ? 'maintenance-window' : 'resuming',
      detail: gate.reason ?? 'maintenance',
      until: gate.state === 'paused' ? (gate.window?.to ?? null) : gate.resumeAt,
    });
  }
  for (const p of problems) {
    if (HOLD_CODES.has(p.code)) reasons.push({ kind: 'hold', code: p.code, detail: `${p.subject}: ${p.detail}`, until: null });
  }
  if (outbound.breaker.state !== 'closed') {
    reasons.push({
      kind: 'breaker',
      code: `breaker-${outbound.breaker.state}`,
      detail: outbound.breaker.lastErrorCode ?? '',
      until: outbound.breaker.retryAtIso,
    });
  }
  return { paused: reasons.length > 0, state: gate.state, since: gate.since, reasons, window: gate.window, resumeAt: gate.resumeAt };
}

const HOLD_CODES: ReadonlySet<string> = new Set(Object.values(HOLD));
