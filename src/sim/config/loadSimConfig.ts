import { readFileSync } from 'node:fs';
import { keyPath } from '../../config/keyPath.js';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Algorithms } from 'ssh2';
import { ConfigError } from '../../errors/TurnkeyError.js';
import type { SimAccountOptions } from '../accounts/AccountRegistry.js';
import type { AllocationInput } from '../e0501/AllocationBook.js';
import type { FaultSettingsPatch } from '../faults/FaultPlan.js';
import type { MaintenanceWindowInput } from '../maintenance/MaintenanceCalendar.js';
import type { ExtraRules } from '../processing/ExtraRules.js';
import type { SimulatorOptions } from '../SimulatorOptions.js';

// ajv is CommonJS; under NodeNext its class is the module's `default`.
const Ajv = AjvModule.default;

/** The shipped JSON Schema of the simulator's configuration file: the one source of its keys and defaults. */
export const SIM_CONFIG_SCHEMA_PATH = fileURLToPath(new URL('../../../config/sim.config.schema.json', import.meta.url));
export const SIM_CONFIG_FILE_NAME = 'sim.config.json';

/** The file as the schema describes it, defaults applied. */
interface SimConfigFile {
  dataDir: string;
  sftp: { port: number; algorithms?: Algorithms };
  gateway: { port: number; basePath: string; actions: Record<string, string> };
  accounts: Array<{ transportId: string; password?: string; passwordEnv?: string; partyId: string; routingId: string; certificates: string[] }>;
  processingDelayMs: number;
  processingWorkers: number | null;
  validation: Partial<ExtraRules> & { b2cTaxIncluded: 'accept' | 'warn' | 'reject'; clockSkewSeconds: number };
  maintenance: MaintenanceWindowInput[];
  faults: FaultSettingsPatch;
  allocations: AllocationInput[];
  e0501: { scheduleIntervalMs: number | null };
}

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
    compiled = ajv.compile(JSON.parse(readFileSync(SIM_CONFIG_SCHEMA_PATH, 'utf8')) as object);
  }
  return compiled;
}

/**
 * Reads a simulator configuration file, checks it against config/sim.config.schema.json (every
 * problem at once, each naming its key; unknown keys are errors), and turns it into options:
 * paths resolved against the file's folder, certificate files read, passwords taken from the
 * environment where `passwordEnv` is used.
 */
export function loadSimConfig(file: string, env: NodeJS.ProcessEnv = process.env): SimulatorOptions {
  const configFile = resolve(file);
  let text: string;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read the simulator configuration ${configFile} (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    throw new ConfigError(`${configFile} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(`${configFile} must hold a JSON object`);
  const check = schemaValidator();
  if (!check(data)) {
    const problems = [...new Set((check.errors ?? []).map(describe))];
    throw new ConfigError(`${configFile} has ${problems.length === 1 ? 'an error' : `${problems.length} errors`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      hint: `The keys, their values and defaults are described in ${SIM_CONFIG_SCHEMA_PATH}.`,
    });
  }
  return toOptions(data as SimConfigFile, dirname(configFile), env);
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
    sftp: { port: file.sftp.port, ...(file.sftp.algorithms && { algorithms: file.sftp.algorithms }) },
    gateway: { ...file.gateway },
    accounts,
    processingDelayMs: file.processingDelayMs,
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

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${keyPath(error.instancePath, String(params.additionalProperty))}: unknown key; remove it or fix its spelling`;
    case 'required':
      return `${keyPath(error.instancePath, String(params.missingProperty))}: required`;
    case 'enum':
      return `${keyPath(error.instancePath)}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${keyPath(error.instancePath)}: ${error.message ?? 'is not allowed'}`;
  }
}
