import { hostname } from 'node:os';
import type { TurnkeyConfig } from '../../config/types.js';
import { DaemonLifecycle, type DaemonState } from '../../store/DaemonLifecycle.js';
import { MessageQueries, type MessageCounts } from '../../store/MessageQueries.js';
import { Store } from '../../store/Store.js';
import { MESSAGE_STATES } from '../../store/states.js';
import { HOLD } from '../../outbound/SendingHolds.js';
import { formatOutboundStatus, readOutboundStatus, type OutboundStatus } from './readOutboundStatus.js';
import { formatProblems, readProblems, type StatusProblem } from './readProblems.js';
import { formatScheduleStatus, readScheduleStatus, type ScheduleStatus } from './readSchedule.js';

export interface DaemonStatus {
  /** The lifecycle state last written by the daemon; null when no daemon ever started here. */
  state: DaemonState | null;
  pid: number | null;
  heartbeatAgeSeconds: number | null;
  /** Whether a daemon is alive: state not stopped, heartbeat fresh, and (same host) its pid exists. */
  running: boolean;
  hostname: string | null;
  version: string | null;
  startedAt: string | null;
  /** Why `running` is false although the state says otherwise. */
  note: string | null;
}

export interface StatusReport {
  daemon: DaemonStatus;
  counts: MessageCounts;
  /** Conditions an operator should act on, each with a stable code and the fix; the most recent first. */
  problems: StatusProblem[];
  /** The sending side; null before the store has it (a daemon of this version never ran). */
  outbound: OutboundStatus | null;
  /** Sending paused by a window (or resuming), the next window. Null for a store older than windows. */
  paused: ScheduleStatus['paused'] | null;
  nextWindow: ScheduleStatus['nextWindow'];
  /** Messages at risk of their legal upload deadline. */
  deadlines: ScheduleStatus['deadlines'] | null;
  /** The scheduled jobs: when each runs next, how its last run went. */
  schedules: ScheduleStatus['schedules'];
  configFile: string;
  dataRoot: string;
  database: string;
}

/**
 * Reads the store read-only (WAL: never blocks the daemon) and answers: is the daemon running, and
 * how many messages are in each state, per message type.
 */
export function readStatus(config: TurnkeyConfig, now: number = Date.now()): StatusReport {
  const store = Store.openReadOnly(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    const record = new DaemonLifecycle(store.db).read();
    const counts = new MessageQueries(store.db).countByTypeAndState();
    for (const type of config.intake.messageTypes) counts.byType[type] ??= {};
    let daemon: DaemonStatus;
    if (!record) {
      daemon = {
        state: null,
        pid: null,
        heartbeatAgeSeconds: null,
        running: false,
        hostname: null,
        version: null,
        startedAt: null,
        note: 'no daemon has run on this store yet',
      };
    } else {
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
      daemon = {
        state: record.state,
        pid: record.pid,
        heartbeatAgeSeconds: Math.round(age * 10) / 10,
        running,
        hostname: record.hostname,
        version: record.version,
        startedAt: new Date(record.startedAt).toISOString(),
        note,
      };
    }
    const outbound = readOutboundStatus(store.db, config, now);
    const schedule = readScheduleStatus(store.db, config, now);
    return {
      daemon,
      counts,
      problems: readProblems(store.db, now),
      outbound,
      paused: schedule?.paused ?? null,
      nextWindow: schedule?.nextWindow ?? null,
      deadlines: schedule?.deadlines ?? null,
      schedules: schedule?.schedules ?? [],
      configFile: config.configFile,
      dataRoot: config.dataRoot,
      database: config.database,
    };
  } finally {
    store.close();
  }
}

/**
 * Whether the report holds something an operator should act on now: a message at risk of its
 * legal deadline, or sending held by a condition only an operator can clear (exit code 1).
 */
export function needsAction(report: StatusReport): boolean {
  const held = report.problems.some((p) => HOLD_CODES.has(p.code));
  return held || (report.deadlines?.atRisk ?? 0) > 0;
}

const HOLD_CODES: ReadonlySet<string> = new Set(Object.values(HOLD));

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The human-readable form. */
export function formatStatus(report: StatusReport): string {
  const lines: string[] = [];
  const d = report.daemon;
  if (d.state === null) lines.push('daemon: never started on this store');
  else if (d.running)
    lines.push(`daemon: ${d.state} (pid ${d.pid} on ${d.hostname}, heartbeat ${d.heartbeatAgeSeconds} s ago, version ${d.version})`);
  else if (d.state === 'stopped') lines.push(`daemon: stopped (last pid ${d.pid}, stopped cleanly)`);
  else lines.push(`daemon: NOT running - last state ${d.state}, pid ${d.pid}; ${d.note ?? ''}`);
  lines.push(`store:  ${report.database}`);
  if (report.problems.length > 0) {
    lines.push('');
    lines.push(...formatProblems(report.problems));
  }
  lines.push('');
  const types = Object.keys(report.counts.byType).sort();
  const states = MESSAGE_STATES.filter((s) => report.counts.byState[s] > 0 || s === 'queued' || s === 'invalid');
  const header = ['type', ...states];
  const rows = types.map((t) => [t, ...states.map((s) => String(report.counts.byType[t]?.[s] ?? 0))]);
  rows.push(['total', ...states.map((s) => String(report.counts.byState[s]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  lines.push(line(header));
  for (const row of rows) lines.push(line(row));
  lines.push(...formatOutboundStatus(report.outbound));
  if (report.paused && report.deadlines) {
    lines.push('');
    lines.push(
      ...formatScheduleStatus({
        paused: report.paused,
        nextWindow: report.nextWindow,
        deadlines: report.deadlines,
        schedules: report.schedules,
      }),
    );
  }
  if (report.counts.byState.failed > 0) {
    lines.push(
      `ACTION NEEDED: ${report.counts.byState.failed} message(s) failed after every retry; see the daemon log (pack-attempt events) and ` +
        `fix the cause; they are still settled if a result arrives.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
