import { Option, type Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerAck(program: Command): void {
  program
    .command('ack')
    .description('The operator has seen these rejections or failures: they stop counting as problems (status exits 0 again). Audited.')
    .argument('[keys...]', 'invoice or allowance numbers, INVOICE_IDENTIFIERs, pack names or file names')
    .addOption(new Option('--state <state>', 'every message in this state').choices(['rejected', 'failed']))
    .option('--before <time>', 'with --state: only those received before this time (ISO 8601, Taiwan time without an offset)')
    .option(...CONFIG_OPTION)
    .option('--json', 'print { changed, outcomes: [{ messageId, number, changed, reason }] }')
    .action(lazy(async () => (await import('./run.js')).runAck));
}
