// Writes config/*.schema.json (what editors and users read) from the schemas in the source, the one
// place each is defined. Run by `npm run schemas` after a build; a test checks the files are current.
import { writeFileSync } from 'node:fs';
import { TURNKEY_CONFIG_SCHEMA } from '../dist/config/turnkeyConfigSchema.js';
import { SIM_CONFIG_SCHEMA } from '../dist/sim/config/simConfigSchema.js';

const files = {
  'turnkey.config.schema.json': TURNKEY_CONFIG_SCHEMA,
  'sim.config.schema.json': SIM_CONFIG_SCHEMA,
};
for (const [name, schema] of Object.entries(files)) {
  const path = new URL(`../config/${name}`, import.meta.url);
  writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote config/${name}`);
}
