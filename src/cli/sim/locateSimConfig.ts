import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SIM_CONFIG_FILE_NAME } from '../../sim/config/loadSimConfig.js';

/**
 * Which simulator configuration to use: `--config FILE`, else `$TURNKEY_SIM_CONFIG`, else
 * `./sim.config.json` when there is one; null: run with the defaults.
 */
export function locateSimConfig(
  given: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string | null {
  if (given !== undefined) return resolve(cwd, given);
  if (env.TURNKEY_SIM_CONFIG) return resolve(cwd, env.TURNKEY_SIM_CONFIG);
  const beside = resolve(cwd, SIM_CONFIG_FILE_NAME);
  return existsSync(beside) ? beside : null;
}

/** The data folder when there is no configuration (the schema's default, relative to the current folder). */
export const DEFAULT_SIM_DATA_DIR = 'sim-data';
