import type { Command } from 'commander';
import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { EXIT } from '../exit.js';
import { formatStatus, needsAction, readStatus } from './readStatus.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Is the daemon running (lifecycle state, pid, heartbeat age), and how many messages are in each state, per message type.')
    .option('-c, --config <file>', 'the configuration file (default: $TURNKEY_CONFIG, else ./turnkey-data/turnkey.config.json)')
    .option(
      '--json',
      'print one JSON object: { daemon, problems, counts: { byState, byType, total }, outbound, paused, nextWindow, deadlines, ' +
        'schedules }',
    )
    .action((options: { config?: string; json?: boolean }) => {
      const config = loadConfig(locateConfig(options.config).path);
      const report = readStatus(config);
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      // 1: something for an operator to act on (a deadline at risk, sending held), so monitoring can call this.
      process.exitCode = needsAction(report) ? EXIT.findings : EXIT.ok;
    });
}
