import { Option, type Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerRetry(program: Command): void {
  program
    .command('retry')
    .description(
      'Put messages back in line: a failed one never uploaded is packed again; one whose pack was uploaded is notified again (same ' +
        'bytes, never re-signed); an unknown one is notified again now; one refused for its signature (E0004) is sent again. --holds ' +
        'lifts a refused login or an unregistered certificate after you fixed it. Audited.',
    )
    .argument('[keys...]', 'invoice or allowance numbers, INVOICE_IDENTIFIERs, pack names or file names')
    .addOption(new Option('--state <state>', 'every message in this state').choices(['failed', 'unknown']))
    .option('--holds', 'lift the holds on sending (login refused, host key changed, certificate not registered or expired)')
    .option(...CONFIG_OPTION)
    .option('--json', 'print { changed, holdsReleased, outcomes: [{ messageId, number, changed, reason }] }')
    .action(lazy(async () => (await import('./run.js')).runRetry));
}
