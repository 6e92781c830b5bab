import type { Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      "Check everything sending needs, each with the fix: the configuration, folders and permissions, each sender's certificate " +
        "(loads, key matches, expiry), the platform's SFTP host key and login and the gateway (or the sandbox), the database, and " +
        'the clock against the platform. Exit code 1 if any check fails.',
    )
    .option('--repair-counts', "rebuild the message counts status reads, if the database's check finds them off")
    .option(...CONFIG_OPTION)
    .option('--json', 'print { ok, checks: [{ name, status: pass|warn|fail|skip, detail, fix }] }')
    .action(lazy(async () => (await import('./run.js')).runDoctor));
}
