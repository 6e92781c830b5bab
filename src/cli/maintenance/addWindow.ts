import type { TurnkeyConfig } from '../../config/types.js';
import { UsageError } from '../../errors/index.js';
import { parseWhen } from '../../time/parseWhen.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import { windowView, type WindowView } from '../status/readSchedule.js';
import { withWindows } from './openWindows.js';

/** When sending stops and starts again around a window: its margins, and the longest random wait. */
export function pausedSpan(config: TurnkeyConfig, from: number, to: number): [number, number] {
  const m = config.maintenance;
  return [from - m.marginBeforeMinutes * 60_000, to + m.marginAfterMinutes * 60_000 + m.resumeJitterSeconds * 1000];
}

export interface AddedWindow {
  window: WindowView;
  /** Messages not yet at the platform whose legal deadline falls before sending resumes. */
  deadlineWarning: { messages: number; firstDeadline: string } | null;
}

/** A window the operator adds: times read, checked (not over, end after start), and what it would make late. */
export function addWindow(config: TurnkeyConfig, input: { from: string; to: string; reason?: string }, now: number): AddedWindow {
  const from = parseWhen(input.from, now);
  const to = parseWhen(input.to, now);
  const hint = 'A time is ISO 8601 (2026-12-18T18:00, Taiwan time without an offset, or with one), `now`, or +<n>s|m|h|d from now.';
  if (from === null) throw new UsageError(`--from "${input.from}" is not a time`, { hint });
  if (to === null) throw new UsageError(`--to "${input.to}" is not a time`, { hint });
  if (to <= from) {
    throw new UsageError(`the window ends (${toTaiwanIso(new Date(to))}) before it starts (${toTaiwanIso(new Date(from))})`, {
      hint: 'Give --to after --from.',
    });
  }
  if (to <= now) {
    throw new UsageError(`the window is already over: it ended at ${toTaiwanIso(new Date(to))}`, {
      hint: 'Only a window still to come (or in force) changes anything.',
    });
  }
  return withWindows(config, (windows, deadlines) => {
    const window = windows.add('cli', 'cli', { startsAt: from, endsAt: to, reason: input.reason ?? 'maintenance (added by an operator)' });
    const late = deadlines.dueWithin(...pausedSpan(config, Math.max(from, now), to));
    return {
      window: windowView(window),
      deadlineWarning: late.count > 0 ? { messages: late.count, firstDeadline: toTaiwanIso(new Date(late.first!)) } : null,
    };
  });
}
