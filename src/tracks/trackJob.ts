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
import { periodOfTime, shiftPeriod } from '../time/periods.js';
import { toTaiwanIso } from '../time/taiwanTime.js';
import type { Validator } from '../validation/Validator.js';
import type { TrackBook } from './TrackBook.js';

const DAY_MS = 86_400_000;

/** Problem codes of the tracks area. */
export const TRACK_PROBLEMS = {
  runningOut: 'tracks-running-out',
  blankDue: 'blank-report-due',
  blankWaiting: 'blank-report-waiting',
} as const;

export function runTracksJob(deps: {
  book: TrackBook;
  settings: TrackSettings;
  validator: Validator;
  problems: Problems;
  logger: Logger;
  /** How close to the E0402 deadline a report not yet generated is an operator's problem. */
  atRiskHours: number;
  now: () => number;
}): string {
  const { book, settings, problems, logger } = deps;
  const now = deps.now();
  const lines: string[] = [];
  const redropped = book.dropPlanned();
  if (redropped.length > 0) lines.push(`${redropped.length} E0402 file(s) written again`);

  const current = periodOfTime(now);
  const { forecasts } = book.stock(current);
  for (const f of forecasts) {
    const subject = `${f.ban} ${f.period} ${f.invoiceType}`;
    const soon = f.runsOutAt !== null && f.runsOutAt < now + settings.runOutWarningDays * DAY_MS;
    if (!f.short && !soon) {
      problems.resolve(subject, TRACK_PROBLEMS.runningOut);
      continue;
    }
    const detail =
      `${f.ban}'s numbers of period ${f.period} (type ${f.invoiceType}): ${f.remaining} of ${f.total} left, ` +
      `${Math.round(f.perDay ?? 0)} used a day: they run out about ${toTaiwanIso(new Date(f.runsOutAt!))}, ` +
      `before the period ends (${toTaiwanIso(new Date(f.periodEnd))})`;
    if (problems.raise(subject, TRACK_PROBLEMS.runningOut, detail)) logger.warn({ event: TRACK_PROBLEMS.runningOut, ...f }, detail);
    lines.push(`${f.ban} runs out`);
  }

  const previous = shiftPeriod(current, -1);
  const subject = `period ${previous}`;
  if (book.allocations.forPeriod(previous).length === 0 || book.reports.ofPeriod(previous).length > 0) {
    problems.resolve(subject, TRACK_PROBLEMS.blankDue);
    problems.resolve(subject, TRACK_PROBLEMS.blankWaiting);
    return lines.join('; ') || 'nothing to do';
  }
  const outcome = settings.blankReport.auto
    ? book.generate(previous, settings.blankReport, { trigger: 'auto', validator: deps.validator })
    : book.blankPlan(previous, settings.blankReport);
  if (outcome.dropped) {
    problems.resolve(subject, TRACK_PROBLEMS.blankDue);
    problems.resolve(subject, TRACK_PROBLEMS.blankWaiting);
    const ranges = outcome.messages.reduce((n, m) => n + m.ranges.length, 0);
    logger.info(
      { event: 'blank-report', period: previous, messages: outcome.messages.map((m) => m.fileName), ranges },
      `the unused numbers of period ${previous} were written as ${outcome.messages.length} E0402 message(s) into SRC`,
    );
    lines.push(`E0402 of ${previous}: ${outcome.messages.length} message(s)`);
    return lines.join('; ');
  }
  const why = settings.blankReport.auto
    ? outcome.blockers.map((b) => b.detail).join('; ')
    : `automatic reports are off (tracks.blankReport.auto): run turnkey tracks blank --period ${previous}`;
  const deadline = periodDeadline(previous, 10)!;
  if (now >= deadline - deps.atRiskHours * 3_600_000) {
    const detail = `the unused numbers of period ${previous} are due by ${toTaiwanIso(new Date(deadline))} and not reported: ${why}`;
    if (problems.raise(subject, TRACK_PROBLEMS.blankDue, detail)) logger.warn({ event: TRACK_PROBLEMS.blankDue, period: previous }, detail);
  } else if (outcome.blockers.some((b) => b.code !== 'too-early' && b.code !== 'period-not-over') || !settings.blankReport.auto) {
    problems.raise(subject, TRACK_PROBLEMS.blankWaiting, `the E0402 of period ${previous} waits: ${why}`);
  }
  lines.push(`E0402 of ${previous} waits: ${outcome.blockers.map((b) => b.code).join(', ')}`);
  return lines.join('; ');
}
