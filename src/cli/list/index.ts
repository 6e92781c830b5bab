import type { Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('Find messages, newest first: by state, type and time received. Times in Taiwan time.')
    .option(
      '--state <states>',
      'one or more states, comma-separated (received, queued, packed, uploaded, unknown, confirmed, rejected, failed, invalid)',
    )
    .option('--type <types>', 'one or more message types, comma-separated (F0401, G0401 …)')
    .option('--since <time>', 'received since: a duration back from now (24h, 7d, 30m) or a time (ISO 8601, Taiwan time without an offset)')
    .option('--limit <n>', 'at most this many (default 50)', '50')
    .option(...CONFIG_OPTION)
    .option('--json', 'print a JSON array')
    .action(lazy(async () => (await import('./run.js')).runList));
}
