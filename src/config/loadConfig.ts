import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import AjvModule, { type ErrorObject } from 'ajv';
import { ConfigError } from '../errors/index.js';
import { configSchema } from './configSchema.js';
import { keyPath } from './keyPath.js';
import type { PlatformSettings, PlatformSettingsFile, SecretRef, SenderEntry, SenderSettings, TurnkeyConfig, TurnkeyConfigFile } from './types.js';

// ajv is CommonJS; under NodeNext its class is the module's `default`.
const Ajv = AjvModule.default;

let compiled: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;

function validatorFn(): ReturnType<InstanceType<typeof Ajv>['compile']> {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true });
    compiled = ajv.compile(configSchema());
  }
  return compiled;
}

/**
 * Reads, checks (against the shipped JSON Schema) and resolves a configuration file. Every problem
 * is reported at once, each naming the key path and how to fix it.
 */
export function loadConfig(file: string): TurnkeyConfig {
  const configFile = resolve(file);
  let text: string;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `no configuration file at ${configFile}` : `cannot read the configuration file ${configFile} (${code ?? cause})`,
      {
        cause,
        hint:
          code === 'ENOENT'
            ? 'Create one with `turnkey init DIR`, or name an existing one with --config FILE or the TURNKEY_CONFIG environment variable.'
            : 'Check the file permissions of the configuration file.',
      },
    );
  }
  return parseConfig(text, configFile);
}

/** Checks configuration text as if it were read from `configFile` (relative paths resolve beside it). */
export function parseConfig(text: string, configFile: string): TurnkeyConfig {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    throw new ConfigError(`${configFile} is not valid JSON: ${describeJsonError(text, cause)}`, {
      cause,
      hint: 'Fix the JSON syntax (no comments, no trailing commas, keys in double quotes).',
    });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`${configFile} must hold a JSON object ({ ... })`, {
      hint: 'Start from the file written by `turnkey init`.',
    });
  }
  const check = validatorFn();
  if (!check(data)) {
    const problems = (check.errors ?? []).map(describeSchemaError);
    const unique = [...new Set(problems)];
    throw new ConfigError(
      `${configFile} has ${unique.length === 1 ? 'an error' : `${unique.length} errors`}:\n${unique.map((p) => `  - ${p}`).join('\n')}`,
      { hint: 'Each key, its allowed values and its default are described in config/turnkey.config.schema.json.' },
    );
  }
  return resolvePaths(data as TurnkeyConfigFile, configFile);
}

function resolvePaths(file: TurnkeyConfigFile, configFile: string): TurnkeyConfig {
  const base = dirname(configFile);
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const dataRoot = at(file.dataRoot);
  return {
    configFile,
    dataRoot,
    database: file.database === null ? join(dataRoot, 'turnkey.db') : at(file.database),
    logLevel: file.logLevel,
    group: file.group,
    validation: { ...file.validation, schemasDir: file.validation.schemasDir === null ? null : at(file.validation.schemasDir) },
    intake: { ...file.intake, messageTypes: [...file.intake.messageTypes] },
    store: { ...file.store },
    daemon: { ...file.daemon },
    platform: file.platform === null ? null : resolvePlatform(file.platform, at, configFile),
    outbound: structuredClone(file.outbound),
  };
}

/**
 * The senders, with their defaults: without `senders`, one sender from partyId, routingId,
 * transport and certificate, covering its own BAN (every seller in sandbox mode); a sender's
 * routing id defaults to its BAN, its sellers to its own BAN, its transport account and
 * certificate to the section's.
 */
function resolvePlatform(platform: PlatformSettingsFile, at: (p: string) => string, configFile: string): PlatformSettings {
  const secret = (ref: SecretRef): SecretRef => (typeof ref === 'object' && 'file' in ref ? { file: at(ref.file) } : ref);
  const problems: string[] = [];
  const entries: Array<SenderEntry | null> = platform.senders ?? [
    platform.partyId === undefined
      ? null
      : { partyId: platform.partyId, ...(platform.routingId !== undefined && { routingId: platform.routingId }), bans: platform.mode === 'sandbox' ? ['*'] : [platform.partyId] },
  ];
  if (entries[0] === null) problems.push('platform: names no sender: give partyId (with transport and certificate), or a senders list.');
  if (platform.senders && (platform.partyId !== undefined || platform.routingId !== undefined)) {
    problems.push('platform.partyId/routingId: not used when platform.senders lists the senders; give each sender its own partyId (and routingId).');
  }
  const senders: SenderSettings[] = [];
  const partyOf = new Map<string, string>();
  const senderOfBan = new Map<string, string>();
  entries.forEach((entry, i) => {
    if (entry === null) return;
    const where = platform.senders ? `platform.senders[${i}]` : 'platform';
    const transport = entry.transport ?? platform.transport;
    const certificate = entry.certificate ?? platform.certificate;
    const bans = entry.bans ?? [entry.partyId];
    if (!transport) problems.push(`${where}.transport: missing, and platform.transport gives no default.`);
    if (!certificate) problems.push(`${where}.certificate: missing, and platform.certificate gives no default.`);
    if (partyOf.has(entry.partyId)) problems.push(`${where}.partyId: ${entry.partyId} is already ${partyOf.get(entry.partyId)}; one sender per BAN.`);
    partyOf.set(entry.partyId, `${where}.partyId`);
    // A seller has one sender (its own BAN counts when bans is not given); one sender at most covers "every seller".
    for (const ban of bans) {
      const other = senderOfBan.get(ban);
      if (other !== undefined) problems.push(`${where}.bans: ${ban === '*' ? '"*" (every seller)' : ban} is covered by the sender ${other} too; a seller has one sender.`);
      else senderOfBan.set(ban, entry.partyId);
    }
    if (!transport || !certificate) return;
    senders.push({
      partyId: entry.partyId,
      routingId: entry.routingId ?? entry.partyId,
      bans: [...bans],
      transport: { id: transport.id, password: secret(transport.password) },
      certificate: { pfx: at(certificate.pfx), password: secret(certificate.password) },
    });
  });
  if (problems.length > 0) {
    throw new ConfigError(`${configFile} has ${problems.length === 1 ? 'an error' : `${problems.length} errors`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      hint: 'Each key, its allowed values and its default are described in config/turnkey.config.schema.json.',
    });
  }
  const { partyId: _partyId, routingId: _routingId, transport: _transport, certificate: _certificate, senders: _senders, ...rest } = structuredClone(platform);
  return {
    ...rest,
    senders,
    sftp: { ...platform.sftp, knownHostsFile: at(platform.sftp.knownHostsFile) },
    simulator: { ...platform.simulator, dataDir: at(platform.simulator.dataDir) },
  };
}

function describeSchemaError(error: ErrorObject): string {
  const where = keyPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = allowedKeys(error.schemaPath);
      const guess = closest(key, allowed);
      return (
        `${keyPath(error.instancePath, key)}: unknown key` +
        (guess ? ` - did you mean "${guess}"?` : '') +
        ` Remove it or fix its spelling; keys allowed ${where === '(top level)' ? 'at the top level' : `in ${where}`}: ${allowed.join(', ')}.`
      );
    }
    case 'type':
      return `${where}: must be ${String(params.type).replace(',', ' or ')}, found ${describeValue(error.data)}.`;
    case 'enum':
      return `${where}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, found ${describeValue(error.data)}.`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${where}: must be ${String(params.comparison)} ${String(params.limit)}, found ${describeValue(error.data)}.`;
    case 'minLength':
      return `${where}: must not be empty.`;
    case 'minItems':
      return `${where}: must list at least ${String(params.limit)} item(s).`;
    case 'uniqueItems':
      return `${where}: lists the same value twice (items ${String(params.j)} and ${String(params.i)}); remove the repeat.`;
    default:
      return `${where}: ${error.message ?? 'is not allowed'}.`;
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}" (a string)`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (a ${typeof value})`;
}

/** The keys the schema allows at the object an `additionalProperties` error points to. */
function allowedKeys(schemaPath: string): string[] {
  // schemaPath looks like `#/properties/intake/additionalProperties`.
  const parts = schemaPath.replace(/^#\//, '').split('/').slice(0, -1);
  let node: unknown = configSchema();
  for (const part of parts) node = (node as Record<string, unknown> | undefined)?.[part];
  const props = (node as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  return Object.keys(props).filter((k) => k !== '$schema');
}

function closest(key: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function describeJsonError(text: string, cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  const position = /position (\d+)/.exec(message);
  if (!position) return message;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

/** Every key with its default, as a configuration file would hold it (what `turnkey init` writes). */
export function defaultConfigFile(): TurnkeyConfigFile {
  const data: Record<string, unknown> = {};
  // useDefaults fills every absent key (sections default to {} and then get their own defaults).
  if (!validatorFn()(data)) throw new Error('the configuration schema rejects an empty configuration');
  return data as unknown as TurnkeyConfigFile;
}
