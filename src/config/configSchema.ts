import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shipped JSON Schema of the configuration file (the single source of truth for keys and defaults). */
export const CONFIG_SCHEMA_PATH = fileURLToPath(new URL('../../config/turnkey.config.schema.json', import.meta.url));

/** The default configuration file name inside a data folder. */
export const CONFIG_FILE_NAME = 'turnkey.config.json';

let cached: Record<string, unknown> | undefined;

export function configSchema(): Record<string, unknown> {
  cached ??= JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  return cached;
}
