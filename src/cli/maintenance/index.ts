import type { Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerMaintenance(program: Command): void {
  const maintenance = program
    .command('maintenance')
    .description(
      "The platform's maintenance windows: nothing is uploaded, notified or polled inside one; intake goes on and sending " +
        'catches up after it. Times are shown in Taiwan time.',
    );

  maintenance
    .command('add')
    .description('Add a window. A time is ISO 8601 (Taiwan time without an offset), `now`, or +<n>s|m|h|d from now.')
    .requiredOption('--from <time>', 'when it starts')
    .requiredOption('--to <time>', 'when it ends')
    .option('--reason <text>', 'why (shown in status and the log)')
    .option(...CONFIG_OPTION)
    .option('--json', 'print { window, deadlineWarning } as JSON')
    .action(lazy(async () => (await import('./actions.js')).addAction));

  maintenance
    .command('list')
    .description('The windows in force or to come (--all: past ones too), from every source: config, cli, feed, platform.')
    .option('--all', 'past windows too')
    .option(...CONFIG_OPTION)
    .option('--json', 'print the windows as a JSON array')
    .action(lazy(async () => (await import('./actions.js')).listAction));

  maintenance
    .command('remove')
    .description(
      'Remove a window added by an operator (or one the platform opened). Windows of the configuration or a feed are removed there.',
    )
    .argument('<id>', 'the window, as `turnkey maintenance list` shows it')
    .option(...CONFIG_OPTION)
    .option('--json', 'print { removed } as JSON')
    .action(lazy(async () => (await import('./actions.js')).removeAction));

  maintenance
    .command('import')
    .description(
      "Read a maintenance notice (the tax bureau's letter, the platform's news or maintenance page: text or HTML, in Chinese) and " +
        'add the window(s) it announces for uploads. A notice that cannot be read with certainty is refused, quoting the sentence.',
    )
    .argument('<source>', 'a file, an http(s) URL, or - for standard input')
    .option('--dry-run', 'show what was understood; add nothing')
    .option(...CONFIG_OPTION)
    .option('--json', 'print [{ from, to, reason }] with +08:00 times')
    .action(lazy(async () => (await import('./actions.js')).importAction));
}
