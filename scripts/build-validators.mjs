// Compiles the configuration schemas' validators ahead of time (ajv standalone code), into
// dist/config/validators/, so that a command reading the configuration neither loads ajv nor
// compiles the schema (together about a quarter of a second of every `turnkey status`). Run by
// `npm run build` (and `prepare`) after tsc; config/SchemaFile.ts compiles at run time when the
// file is missing, as in a checkout that was not built.
import { mkdirSync, writeFileSync } from 'node:fs';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { TURNKEY_CONFIG_SCHEMA } from '../dist/config/turnkeyConfigSchema.js';
import { VALIDATOR_OPTIONS } from '../dist/config/validatorOptions.js';
import { SIM_CONFIG_SCHEMA } from '../dist/sim/config/simConfigSchema.js';

const folder = new URL('../dist/config/validators/', import.meta.url);
mkdirSync(folder, { recursive: true });
for (const [name, schema] of Object.entries({ turnkey: TURNKEY_CONFIG_SCHEMA, sim: SIM_CONFIG_SCHEMA })) {
  const ajv = new Ajv.default({ ...VALIDATOR_OPTIONS, code: { source: true } });
  const validate = ajv.compile(structuredClone(schema));
  writeFileSync(new URL(`${name}.cjs`, folder), standaloneCode.default(ajv, validate));
}
