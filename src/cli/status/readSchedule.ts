import type { Database } from 'better-sqlite3';
import type { ScheduleName, TurnkeyConfig } from '../../config/types.js';
import { nextRunOf } from '../../schedule/Scheduler.js';
import { Deadlines } from '../../store/Deadlines.js';
import { JobRuns } from '../../store/JobRuns.js';
import { MaintenanceWindows, type MaintenanceWindow } from '../../store/MaintenanceWindows.js';
import { SendingState } from '../../store/SendingState.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';

/** A window as status and `turnkey maintenance list` show it: Taiwan time. */
export interface WindowView {
  id: number;
  origin: string;
  source: string;
  from: string;
  /** Null: until the platform answers again. */
  to: string | null;
  reason: string;
}

export interface PausedStatus {
  /** `sending`, `paused` (a window), or `resuming` (the window is over; a short random wait). */
  state: 'sending' | 'paused' | 'resuming';
  since: string | null;
  reason: string | null;
  window: WindowView | null;
  /** Resuming: when sending starts again. */
  resumeAt: string | null;
}

export interface DeadlineStatus {
  atRiskHours: number;
  /** Messages not yet uploaded within atRiskHours of their deadline, or past it. */
  atRisk: number;
  overdue: number;
  byType: Record<string, number>;
  first: { messageId: number; messageType: string; invoiceNumber: string | null; deadline: string } | null;
}

export interface JobStatus {
  name: string;
  /** Null: the job never runs on its own. */
  schedule: string | null;
  nextRun: string | null;
  lastRun: { startedAt: string; endedAt: string | null; outcome: string | null; detail: string | null; runs: number } | null;
}

export interface ScheduleStatus {
  paused: PausedStatus;
  nextWindow: WindowView | null;
  deadlines: DeadlineStatus;
  schedules: JobStatus[];
}

export function windowView(w: MaintenanceWindow): WindowView {
  return {
    id: w.id,
    origin: w.origin,
    source: w.source,
    from: toTaiwanIso(new Date(w.startsAt)),
    to: w.endsAt === null ? null : toTaiwanIso(new Date(w.endsAt)),
    reason: w.reason,
  };
}

/** The sending state, the next window, deadlines at risk and the jobs; null for a store older than these (migration 7). */
export function readScheduleStatus(db: Database, config: TurnkeyConfig, now: number, withSchedules = true): ScheduleStatus | null {
  if ((db.pragma('user_version', { simple: true }) as number) < 7) return null;
  const windows = new MaintenanceWindows(db);
  const state = new SendingState(db).read();
  const current = state.windowId === null ? null : (windows.get(state.windowId) ?? null);
  const nextWindow = windows.notOver(now).find((w) => w.startsAt > now) ?? null;
  const risk = new Deadlines(db).atRisk(now, config.deadlines.atRiskHours * 3600_000);
  const runs = new Map(new JobRuns(db).list().map((r) => [r.name, r]));
  // Working out the next runs costs a time-zone formatter per job: only when asked (status --json).
  const schedules = !withSchedules
    ? []
    : (Object.entries(config.schedules) as Array<[ScheduleName, string | null]>).map(([name, expression]) => {
        const run = runs.get(name);
        return {
          name,
          schedule: expression,
          nextRun: expression === null ? null : iso(nextRunOf(expression)?.getTime() ?? null),
          lastRun: run
            ? { startedAt: iso(run.startedAt)!, endedAt: iso(run.endedAt), outcome: run.outcome, detail: run.detail, runs: run.runs }
            : null,
        };
      });
  return {
    paused: {
      state: state.state,
      since: state.state === 'sending' ? null : iso(state.since),
      reason: state.reason,
      window: current && windowView(current),
      resumeAt: iso(state.resumeAt),
    },
    nextWindow: nextWindow && windowView(nextWindow),
    deadlines: {
      atRiskHours: config.deadlines.atRiskHours,
      atRisk: risk.atRisk,
      overdue: risk.overdue,
      byType: risk.byType,
      first: risk.first && { ...risk.first, deadline: toTaiwanIso(new Date(risk.first.deadline)) },
    },
    schedules,
  };
}

function iso(at: number | null): string | null {
  return at === null ? null : toTaiwanIso(new Date(at));
}

export function formatScheduleStatus(status: ScheduleStatus | null): string[] {
  if (!status) return [];
  const lines: string[] = [];
  const p = status.paused;
  if (p.state === 'paused') {
    const until = p.window?.to ?? 'the platform answers again';
    lines.push(`sending: PAUSED since ${p.since} by maintenance (${p.reason ?? 'a window'}) until ${until}; intake goes on`);
  } else if (p.state === 'resuming') {
    lines.push(`sending: resuming at ${p.resumeAt} (the maintenance window is over)`);
  } else {
    lines.push('sending: normal');
  }
  if (status.nextWindow) {
    const w = status.nextWindow;
    lines.push(`next maintenance window: ${w.from} → ${w.to ?? '?'} (${w.reason}; #${w.id}, ${w.origin})`);
  }
  const d = status.deadlines;
  if (d.atRisk > 0) {
    const first = d.first
      ? `; first: ${d.first.messageType} ${d.first.invoiceNumber ?? `#${d.first.messageId}`} due ${d.first.deadline}`
      : '';
    lines.push(
      `DEADLINE AT RISK: ${d.atRisk} message(s) not yet uploaded are due within ${d.atRiskHours} h (${d.overdue} already late)${first}`,
    );
  }
  return lines;
}
