import { Option, type Command } from 'commander';
import { LANGS } from '../../validation/lang.js';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'What needs doing (problems first, each with the fix), the daemon, sending, the backlog, deadlines and counts. With a key: ' +
        "that message's whole history. Exit code 0: healthy; 1: something needs an operator; 2: usage or configuration error.",
    )
    .argument('[key]', 'an invoice or allowance number, an INVOICE_IDENTIFIER, a pack name or a file name')
    .option(...CONFIG_OPTION)
    .option(
      '--json',
      'print one JSON object: { healthy, daemon, paused, counts: { byState, byType }, backlog, activity, deadlines, needsAction, ' +
        'problems: [{ code, severity, fix, … }], certificates, nextWindow, outbound, schedules }; with a key: { query, kind, messages }',
    )
    .addOption(new Option('--lang <lang>', 'language (default: validation.lang of the configuration)').choices(LANGS as string[]))
    .action(lazy(async () => (await import('./run.js')).runStatus));
}
