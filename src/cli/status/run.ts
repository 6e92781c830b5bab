import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import type { Lang } from '../../validation/messages.js';
import { EXIT } from '../exit.js';
import { colourWanted } from '../text.js';
import { formatStatus } from './formatStatus.js';
import { formatMessageView, readMessageView } from './messageView.js';
import { readStatus } from './readStatus.js';

/**
 * `turnkey status`: the overview, problems first. Exit 0 when nothing needs an operator, 1 when
 * something does (the daemon not running, failed or rejected messages not acknowledged, a deadline
 * at risk, sending held by an operator condition, an open problem), 2 for a usage or configuration
 * error. With a key: that message's (or pack's) whole history.
 */
export function runStatus(key: string | undefined, options: { config?: string; json?: boolean; lang?: Lang }): void {
  const config = loadConfig(locateConfig(options.config).path);
  const lang = options.lang ?? config.validation.lang;
  if (key !== undefined) {
    const view = readMessageView(config, key);
    process.stdout.write(options.json ? `${JSON.stringify(view, null, 2)}\n` : formatMessageView(view, lang));
    process.exitCode = EXIT.ok;
    return;
  }
  const report = readStatus(config, { lang, schedules: options.json === true });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report, lang, colourWanted()));
  process.exitCode = report.healthy ? EXIT.ok : EXIT.findings;
}
