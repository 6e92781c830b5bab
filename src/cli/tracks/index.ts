import type { Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerTracks(program: Command): void {
  const tracks = program
    .command('tracks')
    // `--period` belongs to `tracks` before a subcommand's name and to the subcommand after it.
    .enablePositionalOptions()
    .description(
      'Invoice-number tracks (字軌): each allocated range with its numbers used, skipped and remaining, the next free number, ' +
        'the rate of use and when the stock runs out; the unused numbers (E0402) of a period that has ended.',
    )
    .option('--period <yyyMM>', 'the period (ROC year and even month, e.g. 11510); default: the current one')
    .option(...CONFIG_OPTION)
    .option('--json', 'print one JSON object')
    .action(lazy(async () => (await import('./run.js')).runTracks));

  tracks
    .command('import <file>')
    .description(
      "Record allocations from a file: the platform's E0501 (XML: one InvoiceAssignNo or an envelope of them) or an allocation " +
        'list (CSV or tab-separated, a header row naming the columns). The same allocation again changes nothing; one that ' +
        'overlaps a different recorded range is refused, and then nothing of the file is recorded.',
    )
    .option('--ban <BAN>', "the BAN the list's ranges are allocated to, when it has no BAN column")
    .option('--type <07|08>', 'the invoice type, when the list has no such column (default 07)')
    .option('--dry-run', 'show what would be recorded, and record nothing')
    .option(...CONFIG_OPTION)
    .option('--json', 'print one JSON object')
    .action(lazy(async () => (await import('./run.js')).runTracksImport));

  tracks
    .command('blank')
    .description(
      "Report a period's unused numbers: grouped into ranges, written as E0402 messages into E0402's SRC, sent like any message. " +
        'Shows the ranges first; refuses while invoices of the period are not settled or when it was reported already.',
    )
    .requiredOption('--period <yyyMM>', 'the period that has ended (e.g. 11508)')
    .option('--dry-run', 'show the ranges and the messages, and write nothing')
    .option('--force', 'report again, or although invoices of the period are not settled yet')
    .option(...CONFIG_OPTION)
    .option('--json', 'print one JSON object')
    .action(lazy(async () => (await import('./run.js')).runTracksBlank));
}
