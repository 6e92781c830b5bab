import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadSimConfig } from '../../sim/config/loadSimConfig.js';
import { readSimStats } from '../../sim/record/readSimStats.js';
import { EXIT } from '../exit.js';
import { formatStats } from './formatStats.js';
import { DEFAULT_SIM_DATA_DIR, locateSimConfig } from './locateSimConfig.js';

/** `turnkey sim stats`. */
export function printStats(_options: unknown, command: Command): void {
  // `sim` has --config and --json too, and commander lets it take them even after `stats`: read both levels.
  const options = command.optsWithGlobals<{ config?: string; dataDir?: string; invoice?: string; json?: boolean }>();
  let dataDir: string;
  if (options.dataDir !== undefined) dataDir = resolve(options.dataDir);
  else {
    const configFile = locateSimConfig(options.config);
    dataDir = configFile ? loadSimConfig(configFile).dataDir : resolve(DEFAULT_SIM_DATA_DIR);
  }
  const stats = readSimStats(join(dataDir, 'sim.sqlite'), options.invoice === undefined ? {} : { invoice: options.invoice });
  process.stdout.write(options.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats, options.invoice));
  process.exitCode = EXIT.ok;
}
