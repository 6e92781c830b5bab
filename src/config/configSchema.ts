import { fileURLToPath } from 'node:url';

/** The JSON Schema file editors read; written from TURNKEY_CONFIG_SCHEMA by `npm run schemas`. */
export const CONFIG_SCHEMA_PATH = fileURLToPath(new URL('../../config/turnkey.config.schema.json', import.meta.url));

/** The default configuration file name inside a data folder. */
export const CONFIG_FILE_NAME = 'turnkey.config.json';
