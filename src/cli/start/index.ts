import type { Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'Run the daemon in the foreground (what systemd or a Windows service wrapper wants): take files from the SRC folders, ' +
        'validate, record and file them. SIGINT/SIGTERM (SIGBREAK on Windows) drain it and exit 0.',
    )
    .option(...CONFIG_OPTION)
    .action(lazy(async () => (await import('./run.js')).runStart));
}
