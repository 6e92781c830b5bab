import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_PATH } from '../../src/config/configSchema.js';
import { TURNKEY_CONFIG_SCHEMA } from '../../src/config/turnkeyConfigSchema.js';
import { SIM_CONFIG_SCHEMA_PATH } from '../../src/sim/config/loadSimConfig.js';
import { SIM_CONFIG_SCHEMA } from '../../src/sim/config/simConfigSchema.js';

describe('the shipped schema files', () => {
  // Editors and users read config/*.schema.json; the loaders and the types use the schemas in the
  // source. `npm run schemas` writes the files from the source: this fails when someone forgot.
  it.each([
    ['config/turnkey.config.schema.json', CONFIG_SCHEMA_PATH, TURNKEY_CONFIG_SCHEMA],
    ['config/sim.config.schema.json', SIM_CONFIG_SCHEMA_PATH, SIM_CONFIG_SCHEMA],
  ])('%s is the schema the loader checks against (run `npm run schemas` after changing it)', (_name, path, schema) => {
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(schema);
  });
});
