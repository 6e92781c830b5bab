import { Option, type Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Messages and the platform’s verdicts, for accounting: CSV (UTF-8) or JSON lines, oldest first. Times in Taiwan time.')
    .requiredOption('--since <time>', 'received since: a duration back from now (30d) or a time (ISO 8601, Taiwan time without an offset)')
    .option('--until <time>', 'received before (same forms)')
    .addOption(new Option('--format <format>', 'csv or json (one JSON object per line)').choices(['csv', 'json']).default('csv'))
    .option('--state <states>', 'only these states, comma-separated')
    .option('--type <types>', 'only these message types, comma-separated')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--bom', 'start the CSV with a byte-order mark (Excel then reads its Chinese text as UTF-8)')
    .option(...CONFIG_OPTION)
    .action(lazy(async () => (await import('./run.js')).runExport));
}
