import type { Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      'A consistent copy of the database (every message, its bytes, history and the tracks), safe while the daemon runs: ' +
        'SQLite writes it from one read transaction (VACUUM INTO). Never copy turnkey.db by hand while the daemon runs, and ' +
        'never delete turnkey.db-wal: it holds the latest changes.',
    )
    .argument('<file>', 'the new backup file (it must not exist yet); it is readable by its owner only')
    .option('--json', 'print { file, bytes, messages, seconds }')
    .option(...CONFIG_OPTION)
    .action(lazy(async () => (await import('./run.js')).runBackup));
}
