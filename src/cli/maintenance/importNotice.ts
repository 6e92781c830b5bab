import { readFileSync } from 'node:fs';
import { request } from 'undici';
import type { TurnkeyConfig } from '../../config/types.js';
import { UsageError } from '../../errors/index.js';
import { parseAnnouncement } from '../../schedule/parseAnnouncement.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import { pausedSpan } from './addWindow.js';
import { withWindows } from './openWindows.js';

export interface ImportedWindow {
  from: string;
  to: string;
  reason: string;
  /** The window's id once added (not with --dry-run). */
  id?: number;
  /** Why it was not added: it is already over. */
  skipped?: string;
}

/** Reads a notice (a file, an http(s) URL, or `-` for standard input) as text. */
export async function readNotice(location: string): Promise<string> {
  if (location === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  if (/^https?:\/\//.test(location)) {
    const response = await request(location, { method: 'GET', signal: AbortSignal.timeout(15_000) });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new UsageError(`${location} answered HTTP ${response.statusCode}`);
    return text;
  }
  try {
    return readFileSync(location, 'utf8');
  } catch (cause) {
    throw new UsageError(`cannot read ${location} (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
}

/**
 * The window(s) a maintenance notice announces for uploads, added to the store unless `dryRun`.
 * A notice that cannot be read with certainty is refused (the error quotes the sentence); windows
 * already over are shown as skipped.
 */
export function importNotice(config: TurnkeyConfig, text: string, source: string, dryRun: boolean, now: number): ImportedWindow[] {
  const announced = parseAnnouncement(text, { now: new Date(now) });
  const understood = announced.map((w) => ({ from: toTaiwanIso(w.from), to: toTaiwanIso(w.to), reason: w.reason }));
  if (dryRun) return understood;
  const shown = announced.map((w, i) => ({ ...understood[i]!, ...(w.to.getTime() <= now && { skipped: 'already over' }) }));
  if (shown.every((w) => w.skipped)) {
    throw new UsageError(`every window ${source} announces is over (the last ended at ${shown[shown.length - 1]!.to})`, {
      hint: 'Nothing was added. Use --dry-run to see what a notice says without adding it.',
    });
  }
  return withWindows(config, (windows, deadlines) => {
    const added = announced.map((w, i) => {
      if (w.to.getTime() <= now) return shown[i]!;
      const window = windows.add('cli', `import ${source}`, { startsAt: w.from.getTime(), endsAt: w.to.getTime(), reason: w.reason });
      return { ...shown[i]!, id: window.id };
    });
    const coming = announced.filter((w) => w.to.getTime() > now);
    const firstStart = Math.max(now, Math.min(...coming.map((w) => w.from.getTime())));
    const late = deadlines.dueWithin(...pausedSpan(config, firstStart, Math.max(...coming.map((w) => w.to.getTime()))));
    if (late.count > 0) {
      // On standard error, so that --json output stays the list of windows.
      process.stderr.write(
        `WARNING: ${late.count} message(s) not yet at the platform are due before sending resumes (the first at ` +
          `${toTaiwanIso(new Date(late.first!))}); they will be late.\n`,
      );
    }
    return added;
  });
}
