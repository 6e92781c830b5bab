import { join, resolve } from 'node:path';
import { CONFIG_FILE_NAME } from './configSchema.js';

export const DEFAULT_DATA_DIR = 'turnkey-data';

export interface ConfigLocation {
  path: string;
  /** Where the path came from, for error messages and the start-up log. */
  source: '--config' | 'TURNKEY_CONFIG' | 'default';
}

/** `--config FILE`, else `TURNKEY_CONFIG`, else `./turnkey-data/turnkey.config.json`. */
export function locateConfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ConfigLocation {
  if (flag !== undefined && flag !== '') return { path: resolve(cwd, flag), source: '--config' };
  const fromEnv = env.TURNKEY_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { path: resolve(cwd, fromEnv), source: 'TURNKEY_CONFIG' };
  return { path: resolve(cwd, join(DEFAULT_DATA_DIR, CONFIG_FILE_NAME)), source: 'default' };
}
