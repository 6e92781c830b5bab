import type { Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerResend(program: Command): void {
  program
    .command('resend')
    .description(
      'For the rare case the platform lost a confirmed message: send its stored, validated bytes again in a new pack, as a new ' +
        'version of the message. Asks first (--yes for scripts). Audited.',
    )
    .argument('<key>', 'the invoice or allowance number, or the INVOICE_IDENTIFIER')
    .option('-y, --yes', 'do not ask')
    .option(...CONFIG_OPTION)
    .option('--json', 'print { changed, outcomes }')
    .action(lazy(async () => (await import('./run.js')).runResend));
}
