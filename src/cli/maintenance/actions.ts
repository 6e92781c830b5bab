import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { UsageError } from '../../errors/index.js';
import { EXIT } from '../exit.js';
import { windowView, type WindowView } from '../status/readSchedule.js';
import { addWindow } from './addWindow.js';
import { importNotice, readNotice } from './importNotice.js';
import { withWindows } from './openWindows.js';

/** The `turnkey maintenance` subcommands' actions (loaded only when one runs). */

export function addAction(options: { from: string; to: string; reason?: string; config?: string; json?: boolean }): void {
  const config = loadConfig(locateConfig(options.config).path);
  const added = addWindow(config, options, Date.now());
  if (options.json) process.stdout.write(`${JSON.stringify(added, null, 2)}\n`);
  else {
    process.stdout.write(`added ${describe(added.window)}\n`);
    if (added.deadlineWarning) {
      process.stdout.write(
        `WARNING: ${added.deadlineWarning.messages} message(s) not yet at the platform are due before sending resumes ` +
          `(the first at ${added.deadlineWarning.firstDeadline}); they will be late.\n`,
      );
    }
  }
  process.exitCode = EXIT.ok;
}

export function listAction(options: { all?: boolean; config?: string; json?: boolean }): void {
  const config = loadConfig(locateConfig(options.config).path);
  const now = Date.now();
  const list = withWindows(config, (windows) => (options.all ? windows.list() : windows.notOver(now)).map(windowView));
  if (options.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
  else process.stdout.write(list.length === 0 ? 'no maintenance windows\n' : `${list.map(describe).join('\n')}\n`);
  process.exitCode = EXIT.ok;
}

export function removeAction(id: string, options: { config?: string; json?: boolean }): void {
  const config = loadConfig(locateConfig(options.config).path);
  const windowId = Number(id);
  if (!Number.isInteger(windowId) || windowId <= 0)
    throw new UsageError(`"${id}" is not a window id`, { hint: 'See turnkey maintenance list.' });
  const removed = withWindows(config, (windows) => {
    const window = windows.get(windowId);
    if (!window) throw new UsageError(`there is no window #${windowId}`, { hint: 'See turnkey maintenance list.' });
    if (window.origin === 'config' || window.origin === 'feed') {
      throw new UsageError(`window #${windowId} comes from the ${window.origin === 'config' ? 'configuration' : `feed ${window.source}`}`, {
        hint:
          window.origin === 'config'
            ? `Remove it from maintenance.windows in ${config.configFile}.`
            : 'Remove it from the feed; it disappears here at the next reading.',
      });
    }
    windows.remove(windowId, 'an operator (turnkey maintenance remove)');
    return windowView(window);
  });
  if (options.json) process.stdout.write(`${JSON.stringify({ removed }, null, 2)}\n`);
  else process.stdout.write(`removed ${describe(removed)}\n`);
  process.exitCode = EXIT.ok;
}

export async function importAction(source: string, options: { dryRun?: boolean; config?: string; json?: boolean }): Promise<void> {
  const text = await readNotice(source);
  const config = loadConfig(locateConfig(options.config).path);
  const windows = importNotice(config, text, source, options.dryRun ?? false, Date.now());
  if (options.json) process.stdout.write(`${JSON.stringify(windows, null, 2)}\n`);
  else {
    for (const w of windows) {
      const what = w.skipped ? `skipped (${w.skipped})` : options.dryRun ? 'understood' : `added as #${w.id}`;
      process.stdout.write(`${what}: ${w.from} → ${w.to}  ${w.reason}\n`);
    }
  }
  process.exitCode = EXIT.ok;
}

function describe(w: WindowView): string {
  const origin = w.origin === 'feed' ? `feed: ${w.source}` : w.origin;
  return `#${w.id} ${w.from} → ${w.to ?? 'until the platform answers again'}  ${w.reason}  (${origin})`;
}
