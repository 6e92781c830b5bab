/**
 * The tracks job (hourly by default): writes any recorded E0402 not yet dropped (after a crash),
 * warns when the current period's numbers will run out, and reports the last period's unused
 * numbers when they are due — or says what holds them back, and raises it as the legal deadline
 * (the 10th of the next period) nears.
 */
import type { Logger } from 'pino';
import type { TrackSettings } from '../config/types.js';
import type { Problems } from '../store/Problems.js';
import { periodDeadline } from '../schedule/deadlines.js';
import { periodBounds, periodOfTime, shiftPeriod } from '../time/periods.js';
import { taiwanDay, toTaiwanIso } from '../time/taiwanTime.js';
import { TurnkeyError } from '../errors/index.js';
import type { AsyncValidator, ValidationReport } from '../validation/types.js';
import type { Validator } from '../validation/Validator.js';
import { withHeldBack, type BlankOutcome, type TrackBook } from './TrackBook.js';
import type { BlankReportRow } from '../store/BlankReports.js';

const DAY_MS = 86_400_000;

/** The report changed between its check on the validation thread and the transaction that records it. */
const BLANK_REPORT_CHANGED = 'blank-report-changed';

/**
 * Writes the E0402 reports recorded but not yet in SRC (a run killed in between), as the daemon does
 * at start and the tracks job every hour; logs what it wrote and, each time until that file is gone,
 * a report another file keeps out of SRC. Returns the lines for the job's summary, and the reports held back.
 */
export function dropPlannedReports(book: Pick<TrackBook, 'dropPlanned'>, logger: Logger): { lines: string[]; heldBack: BlankReportRow[] } {
  const outcome = book.dropPlanned();
  const lines: string[] = [];
  for (const { kind, level, event, message, line } of DROP_OUTCOMES) {
    const files = outcome[kind].map((r) => r.fileName);
    if (files.length === 0) continue;
    logger[level]({ event, files }, message);
    lines.push(`${files.length} ${line}`);
  }
  return { lines, heldBack: outcome.heldBack };
}

/** What each outcome of writing the recorded reports is logged as, and its line in the job's summary. */
const DROP_OUTCOMES = [
  {
    kind: 'dropped',
    level: 'info',
    event: 'blank-report-redropped',
    message: 'wrote E0402 files again',
    line: 'E0402 file(s) written again',
  },
  {
    kind: 'taken',
    level: 'info',
    event: 'blank-report-found-taken',
    message: 'E0402 files written before a crash were already taken by intake; they are not written again',
    line: 'E0402 file(s) found taken by intake since a crash',
  },
  {
    kind: 'heldBack',
    level: 'warn',
    event: 'blank-report-held-back',
    message: "E0402 files of other content hold these reports' names in SRC; they are written once those files are gone",
    line: 'E0402 report(s) held back: a file of another content has its name in SRC',
  },
] as const;

/** Problem codes of the tracks area. */
export const TRACK_PROBLEMS = {
  runningOut: 'tracks-running-out',
  blankDue: 'blank-report-due',
  blankWaiting: 'blank-report-waiting',
} as const;

export async function runTracksJob(deps: {
  book: TrackBook;
  settings: TrackSettings;
  /** The daemon's validation thread: each E0402 is checked against its schema there. */
  validator: AsyncValidator;
  problems: Problems;
  logger: Logger;
  /** How close to the E0402 deadline a report not yet generated is an operator's problem. */
  atRiskHours: number;
  now: () => number;
}): Promise<string> {
  const { book, settings, problems, logger } = deps;
  const now = deps.now();
  const { lines, heldBack } = dropPlannedReports(book, logger);

  const current = periodOfTime(now);
  const { forecasts } = book.stock(current);
  const short = new Set<string>();
  for (const f of forecasts) {
    if (!f.short) continue;
    const subject = `${f.ban} ${f.period} ${f.invoiceType}`;
    short.add(subject);
    const detail =
      `${f.ban}'s numbers of period ${f.period} (type ${f.invoiceType}): ${f.remaining} of ${f.total} left, ` +
      `${Math.round(f.perDay ?? 0)} used a day: they run out about ${toTaiwanIso(new Date(f.runsOutAt!))}, ` +
      `before the period ends (${toTaiwanIso(new Date(f.periodEnd))})`;
    if (problems.raise(subject, TRACK_PROBLEMS.runningOut, detail)) logger.warn({ event: TRACK_PROBLEMS.runningOut, ...f }, detail);
    lines.push(`${f.ban} runs out`);
  }
  // Warnings of stock that lasts now, or of a period that is over, are gone.
  for (const subject of problems.openSubjects(TRACK_PROBLEMS.runningOut))
    if (!short.has(subject)) problems.resolve(subject, TRACK_PROBLEMS.runningOut);

  const previous = shiftPeriod(current, -1);
  const subject = `period ${previous}`;
  for (const code of [TRACK_PROBLEMS.blankDue, TRACK_PROBLEMS.blankWaiting]) {
    for (const open of problems.openSubjects(code)) if (open !== subject) problems.resolve(open, code);
  }
  const settled = (): string => {
    problems.resolve(subject, TRACK_PROBLEMS.blankDue);
    problems.resolve(subject, TRACK_PROBLEMS.blankWaiting);
    return lines.join('; ') || 'nothing to do';
  };
  if (book.allocations.forPeriod(previous).length === 0) return settled();
  // Most runs stop at this plan (already reported, too early, invoices arriving): only one ready to go is generated.
  const plan = book.blankPlan(previous, settings.blankReport);
  let outcome = withHeldBack(plan, heldBack);
  try {
    if (settings.blankReport.auto && plan.blockers.length === 0 && plan.messages.length > 0) {
      outcome = book.generate(previous, settings.blankReport, {
        trigger: 'auto',
        validator: await checkedOnThread(plan, deps.validator),
      });
    }
  } catch (err) {
    // An invoice recorded while the report was checked: not a failure, the next run reports it.
    if (!(err instanceof TurnkeyError) || err.code !== BLANK_REPORT_CHANGED) throw err;
    logger.info({ event: BLANK_REPORT_CHANGED, period: previous }, err.message);
    lines.push(`E0402 of ${previous} changed while it was checked: reported at the next run`);
    return lines.join('; ');
  }
  if (outcome.dropped) {
    const ranges = outcome.messages.reduce((n, m) => n + m.ranges.length, 0);
    logger.info(
      { event: 'blank-report', period: previous, messages: outcome.messages.map((m) => m.fileName), ranges },
      `the unused numbers of period ${previous} were written as ${outcome.messages.length} E0402 message(s) into SRC`,
    );
    lines.push(`E0402 of ${previous}: ${outcome.messages.length} message(s)`);
    // Recorded, but a file of other content keeps one out of SRC: it waits like any held report.
    if (outcome.blockers.length === 0) return settled();
  }
  // Every group reported, or nothing left unused: done.
  const holding = outcome.blockers.filter((b) => b.code !== 'already-reported');
  if (outcome.messages.length === 0 && holding.length === 0) return settled();
  // A file in SRC holding a report's name is the operator's to move, whether reports are automatic or not.
  const why = (
    settings.blankReport.auto
      ? holding.map((b) => b.detail)
      : [
          ...(outcome.messages.length > 0
            ? [`automatic reports are off (tracks.blankReport.auto): run turnkey tracks blank --period ${previous}`]
            : []),
          ...holding.filter((b) => b.code === 'name-taken').map((b) => b.detail),
        ]
  ).join('; ');
  const deadline = periodDeadline(previous, 10)!;
  const bounds = periodBounds(previous)!;
  // Blocked two days past the planned day is worth an operator's look, well before the deadline's last hours.
  const escalateAt = Math.min(deadline - deps.atRiskHours * 3_600_000, bounds.end + (settings.blankReport.daysAfterPeriodEnd + 2) * DAY_MS);
  const lastDay = taiwanDay(deadline - 1).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
  if (now >= escalateAt) {
    const detail = `the unused numbers of period ${previous} are due by the end of ${lastDay} (Taiwan time) and not reported: ${why}`;
    if (problems.raise(subject, TRACK_PROBLEMS.blankDue, detail)) logger.warn({ event: TRACK_PROBLEMS.blankDue, period: previous }, detail);
    problems.resolve(subject, TRACK_PROBLEMS.blankWaiting);
  } else if (holding.some((b) => b.code !== 'too-early' && b.code !== 'period-not-over') || !settings.blankReport.auto) {
    problems.raise(subject, TRACK_PROBLEMS.blankWaiting, `the E0402 of period ${previous} (due by the end of ${lastDay}) waits: ${why}`);
  }
  lines.push(`E0402 of ${previous} waits: ${holding.map((b) => b.code).join(', ') || 'the operator'}`);
  return lines.join('; ');
}

/**
 * The plan's messages, checked on the validation thread before the transaction that records them
 * (a transaction cannot wait for another thread). `generate` plans again in that transaction and
 * takes only messages checked here: one that changed in between (an invoice recorded meanwhile)
 * records nothing, and the next run checks and reports it.
 */
async function checkedOnThread(plan: BlankOutcome, validator: AsyncValidator): Promise<Pick<Validator, 'validate'>> {
  const reports = new Map<string, ValidationReport>();
  for (const m of plan.messages) reports.set(m.xml, await validator.validate(Buffer.from(m.xml, 'utf8'), { file: m.fileName }));
  return {
    validate(bytes) {
      const report = reports.get(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
      if (report) return report;
      throw new TurnkeyError(BLANK_REPORT_CHANGED, `the E0402 reports of period ${plan.period} changed while they were checked`, {
        hint: 'Nothing was recorded or dropped; the next run of the tracks job checks and reports them.',
      });
    },
  };
}
