import { Command, Option } from 'commander';
import { UsageError } from '../../errors/index.js';
import { LANGS } from '../../validation/lang.js';
import { DEFAULT_MAX_BYTES } from '../../validation/limits.js';
import { lazy } from '../lazy.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check MIG 4.1 XML files (or folders of them) against the schemas and business rules, before they are sent.')
    .argument('<paths...>', 'files or folders (folders are walked for *.xml)')
    .option('--json', 'print one JSON array of reports')
    .option('--schemas <dir>', "validate with this folder of XSDs (e.g. Turnkey 3.2's xsd/v41/) instead of the bundled ones")
    .addOption(new Option('--lang <lang>', 'language of the messages').choices(LANGS as string[]).default('en'))
    .addOption(new Option('--max-bytes <n>', 'largest file accepted').argParser(positiveInteger).default(DEFAULT_MAX_BYTES))
    .action(lazy(async () => (await import('./run.js')).runValidate));
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--max-bytes must be a positive whole number, not "${value}"`);
  return n;
}
