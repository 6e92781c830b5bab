import type { Command } from 'commander';
import { DEFAULT_DATA_DIR } from '../../config/locateConfig.js';
import { lazy } from '../lazy.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Create a working configuration, the Turnkey folder layout and the database in DIR, ready for `turnkey start`.')
    .argument('[dir]', 'the data folder to create', DEFAULT_DATA_DIR)
    .option('--json', 'print what was created as one JSON object')
    .option('--no-sandbox', 'no platform section: the daemon only takes in and checks files')
    .option('--if-missing', 'do nothing (and exit 0) when DIR already has a configuration')
    .action(lazy(async () => (await import('./initDataRoot.js')).runInit));
}
