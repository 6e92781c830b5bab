import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Algorithms } from 'ssh2';
import { SchemaFile } from '../../config/SchemaFile.js';
import { ConfigError } from '../../errors/TurnkeyError.js';
import type { SimAccountOptions } from '../accounts/AccountRegistry.js';
import type { SimulatorOptions } from '../SimulatorOptions.js';
import { SIM_CONFIG_SCHEMA, type SimConfigFile } from './simConfigSchema.js';

/** The JSON Schema file editors read; written from SIM_CONFIG_SCHEMA by `npm run schemas`. */
export const SIM_CONFIG_SCHEMA_PATH = fileURLToPath(new URL('../../../config/sim.config.schema.json', import.meta.url));
export const SIM_CONFIG_FILE_NAME = 'sim.config.json';

const SIM_CONFIG_FILE = new SchemaFile<SimConfigFile>(SIM_CONFIG_SCHEMA, {
  label: 'simulator configuration',
  describedIn: SIM_CONFIG_SCHEMA_PATH,
  precompiled: new URL('../../../dist/config/validators/sim.cjs', import.meta.url),
  missingHint:
    'Write one (config/sim.config.example.json shows every key), or run `turnkey sim --config turnkey.config.json` for a sandbox.',
});

/**
 * Reads a simulator configuration file, checks it against config/sim.config.schema.json (every
 * problem at once, each naming its key; unknown keys are errors), and turns it into options:
 * paths resolved against the file's folder, certificate files read, passwords taken from the
 * environment where `passwordEnv` is used.
 */
export function loadSimConfig(file: string, env: NodeJS.ProcessEnv = process.env): SimulatorOptions {
  const { data, path } = SIM_CONFIG_FILE.read(file);
  return toOptions(data, dirname(path), env);
}

function toOptions(file: SimConfigFile, base: string, env: NodeJS.ProcessEnv): SimulatorOptions {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const accounts: SimAccountOptions[] = file.accounts.map((a, i) => {
    if ((a.password === undefined) === (a.passwordEnv === undefined)) {
      throw new ConfigError(`accounts[${i}]: give exactly one of password and passwordEnv`);
    }
    let password = a.password;
    if (a.passwordEnv !== undefined) {
      password = env[a.passwordEnv];
      if (!password) throw new ConfigError(`accounts[${i}].passwordEnv: the environment variable ${a.passwordEnv} is not set`);
    }
    return {
      transportId: a.transportId,
      password: password!,
      partyId: a.partyId,
      routingId: a.routingId,
      certificates: a.certificates.map((path, j) => readCertificate(at(path), `accounts[${i}].certificates[${j}]`)),
    };
  });
  return {
    dataDir: at(file.dataDir),
    ...(file.adminTokenFile !== null && { adminTokenFile: at(file.adminTokenFile) }),
    // The schema lists the names as strings; ssh2 refuses an unknown one when the server starts.
    sftp: { port: file.sftp.port, ...(file.sftp.algorithms && { algorithms: file.sftp.algorithms as Algorithms }) },
    gateway: { ...file.gateway },
    accounts,
    processingDelayMs: file.processingDelayMs,
    latencyMs: file.latencyMs,
    ...(file.processingWorkers !== null && { processingWorkers: file.processingWorkers }),
    validation: { ...file.validation },
    maintenance: file.maintenance,
    faults: file.faults,
    allocations: file.allocations,
    e0501: { ...file.e0501 },
  };
}

/** A `.cer` may be PEM text or DER bytes. */
function readCertificate(path: string, where: string): string | Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new ConfigError(`${where}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
  const text = bytes.toString('latin1');
  return text.includes('-----BEGIN CERTIFICATE-----') ? bytes.toString('utf8') : bytes;
}
