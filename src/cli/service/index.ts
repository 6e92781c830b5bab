import type { Command } from 'commander';
import { CONFIG_OPTION } from '../configOption.js';
import { lazy } from '../lazy.js';

export function registerService(program: Command): void {
  const service = program.command('service').description('Run the daemon as a system service (systemd on Linux, WinSW on Windows).');
  service
    .command('install')
    .description(
      'Write the service files for this install (default into <dataRoot>/service/) and print the steps that install them: ' +
        'a systemd unit (--systemd), or a WinSW configuration and executable (--windows). Existing files are kept unless --force.',
    )
    .option('--systemd', 'a systemd unit, turnkey.service (Linux)')
    .option('--windows', 'a WinSW service, turnkey-service.xml and turnkey-service.exe (Windows; WinSW comes with node-windows)')
    .option('--out <dir>', 'the folder to write into (default: <dataRoot>/service)')
    .option('--user <name>', 'the account the systemd service runs as (default: turnkey)')
    .option('--dry-run', 'write nothing: print the files and the steps')
    .option('--json', 'print { kind, files: [{ path, content?, copiedFrom? }], steps, dryRun }')
    .option('--force', 'replace files that exist')
    .option(...CONFIG_OPTION)
    .action(lazy(async () => (await import('./run.js')).runServiceInstall));
}
