import { dirname, isAbsolute, join, resolve } from 'node:path';
import cron from 'node-cron';
import { parseIsoTime } from '../time/parseWhen.js';
import { ConfigError } from '../errors/index.js';
import { SchemaFile } from './SchemaFile.js';
import { TURNKEY_CONFIG_SCHEMA } from './turnkeyConfigSchema.js';
import type {
  ConfiguredWindow,
  DeadlineSettings,
  FeedSettings,
  MaintenanceSettings,
  PlatformSettings,
  ScheduleSettings,
  PlatformSettingsFile,
  SecretRef,
  SenderEntry,
  SenderSettings,
  TurnkeyConfig,
  TurnkeyConfigFile,
} from './types.js';

const CONFIG_FILE = new SchemaFile<TurnkeyConfigFile>(TURNKEY_CONFIG_SCHEMA, {
  label: 'configuration file',
  describedIn: 'config/turnkey.config.schema.json',
  precompiled: new URL('../../dist/config/validators/turnkey.cjs', import.meta.url),
  missingHint: 'Create one with `turnkey init DIR`, or name an existing one with --config FILE or the TURNKEY_CONFIG environment variable.',
});

/**
 * Reads, checks (against the configuration's JSON Schema) and resolves a configuration file. Every
 * problem is reported at once, each naming the key path and how to fix it.
 */
export function loadConfig(file: string): TurnkeyConfig {
  const { data, path } = CONFIG_FILE.read(file);
  return resolvePaths(data, path);
}

/** Checks configuration text as if it were read from `configFile` (relative paths resolve beside it). */
export function parseConfig(text: string, configFile: string): TurnkeyConfig {
  return resolvePaths(CONFIG_FILE.parse(text, configFile), configFile);
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
    maintenance: resolveMaintenance(file.maintenance, at, configFile),
    log: {
      ...file.log,
      file: file.log.file === false ? null : file.log.file === null ? join(dataRoot, 'logs', 'turnkey.log') : at(file.log.file),
    },
    metrics: { ...file.metrics },
    deadlines: checkDeadlines(file.deadlines, configFile),
    tracks: structuredClone(file.tracks),
    schedules: checkSchedules(file.schedules, configFile),
  };
}

/** Windows' times read (ISO 8601; Taiwan time without an offset), feeds located; every problem at once. */
function resolveMaintenance(section: TurnkeyConfigFile['maintenance'], at: (p: string) => string, configFile: string): MaintenanceSettings {
  const problems: string[] = [];
  const windows: ConfiguredWindow[] = [];
  section.windows.forEach((w, i) => {
    const from = parseIsoTime(w.from);
    const to = parseIsoTime(w.to);
    if (from === null) problems.push(`maintenance.windows[${i}].from: "${w.from}" is not an ISO 8601 time (e.g. 2026-12-18T18:00+08:00).`);
    if (to === null) problems.push(`maintenance.windows[${i}].to: "${w.to}" is not an ISO 8601 time (e.g. 2026-12-20T12:00+08:00).`);
    if (from === null || to === null) return;
    if (to <= from) problems.push(`maintenance.windows[${i}]: ends (${w.to}) before it starts (${w.from}).`);
    else windows.push({ from, to, reason: w.reason });
  });
  const feeds: FeedSettings[] = [];
  section.feeds.forEach((feed, i) => {
    if ((feed.url === undefined) === (feed.file === undefined)) {
      problems.push(`maintenance.feeds[${i}]: give exactly one of url and file.`);
    } else if (feed.url !== undefined) {
      const problem = plainHttpProblem(`maintenance.feeds[${i}].url`, feed.url, 'a forged feed could announce windows that stop sending');
      if (problem !== null) problems.push(problem);
      else feeds.push({ location: feed.url, kind: 'url', format: feed.format });
    } else {
      feeds.push({ location: at(feed.file!), kind: 'file', format: feed.format });
    }
  });
  if (problems.length > 0)
    throw ConfigError.listing(configFile, problems, 'Fix the maintenance section; see config/turnkey.config.schema.json.');
  return { ...section, windows, feeds };
}

/** A deadline rule says how long in exactly one way. */
function checkDeadlines(section: DeadlineSettings, configFile: string): DeadlineSettings {
  const problems = section.rules.flatMap((rule, i) => {
    const ways = [rule.hours, rule.days, rule.daysAfterPeriod].filter((v) => v !== undefined).length;
    return ways === 1 ? [] : [`deadlines.rules[${i}]: give exactly one of hours, days and daysAfterPeriod.`];
  });
  if (problems.length > 0)
    throw ConfigError.listing(configFile, problems, 'Fix the deadlines section; see config/turnkey.config.schema.json.');
  return structuredClone(section);
}

function checkSchedules(section: ScheduleSettings, configFile: string): ScheduleSettings {
  const problems = Object.entries(section).flatMap(([name, expression]) =>
    expression === null || cron.validate(expression)
      ? []
      : [`schedules.${name}: "${expression}" is not a cron expression (minute hour day month weekday, e.g. "*/10 * * * *").`],
  );
  if (problems.length > 0)
    throw ConfigError.listing(configFile, problems, 'Fix the schedules section, or set a job to null to never run it.');
  return { ...section };
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
      : {
          partyId: platform.partyId,
          ...(platform.routingId !== undefined && { routingId: platform.routingId }),
          bans: platform.mode === 'sandbox' ? ['*'] : [platform.partyId],
        },
  ];
  if (entries[0] === null) problems.push('platform: names no sender: give partyId (with transport and certificate), or a senders list.');
  if (platform.senders && (platform.partyId !== undefined || platform.routingId !== undefined)) {
    problems.push(
      'platform.partyId/routingId: not used when platform.senders lists the senders; give each sender its own partyId (and routingId).',
    );
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
    if (partyOf.has(entry.partyId))
      problems.push(`${where}.partyId: ${entry.partyId} is already ${partyOf.get(entry.partyId)}; one sender per BAN.`);
    partyOf.set(entry.partyId, `${where}.partyId`);
    // A seller has one sender (its own BAN counts when bans is not given); one sender at most covers "every seller".
    for (const ban of bans) {
      const other = senderOfBan.get(ban);
      if (other !== undefined)
        problems.push(
          `${where}.bans: ${ban === '*' ? '"*" (every seller)' : ban} is covered by the sender ${other} too; a seller has one sender.`,
        );
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
  problems.push(...gatewayProblems(platform.gateway.baseUrl));
  if (problems.length > 0) {
    throw ConfigError.listing(
      configFile,
      problems,
      'Each key, its allowed values and its default are described in config/turnkey.config.schema.json.',
    );
  }
  const {
    partyId: _partyId,
    routingId: _routingId,
    transport: _transport,
    certificate: _certificate,
    senders: _senders,
    ...rest
  } = structuredClone(platform);
  return {
    ...rest,
    senders,
    sftp: { ...platform.sftp, knownHostsFile: at(platform.sftp.knownHostsFile) },
    gateway: { ...platform.gateway, caFile: platform.gateway.caFile === null ? null : at(platform.gateway.caFile) },
    simulator: { ...platform.simulator, dataDir: at(platform.simulator.dataDir) },
  };
}

/** Every key with its default, as a configuration file would hold it (what `turnkey init` writes). */
export function defaultConfigFile(): TurnkeyConfigFile {
  return CONFIG_FILE.defaults();
}

/** Hosts that are this machine: a request to them never crosses a network. */
const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * PFS001 carries the transport password (in the body and in Basic auth): over plain http it would
 * cross the network readable by anyone on the way, so http:// is refused unless the gateway is on
 * this machine (the simulator, or a local TLS proxy that forwards over https).
 */
function gatewayProblems(baseUrl: string): string[] {
  const problem = plainHttpProblem('platform.gateway.baseUrl', baseUrl, 'it would send the transport password in clear');
  return problem === null ? [] : [problem];
}

/** An http(s) URL that is https, or http to this machine; the URL itself is not echoed when it cannot be read (it may hold a password). */
function plainHttpProblem(key: string, text: string, why: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${key}: is not a URL (e.g. https://<host>/path).`;
  }
  if (url.username !== '' || url.password !== '') return `${key}: holds a user name or password; give credentials where the schema says.`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${key}: ${url.protocol} is not http(s).`;
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.test(url.hostname))
    return `${key}: http://${url.host}: ${why}; use https:// (plain http is accepted only to this machine: 127.0.0.1, ::1 or localhost).`;
  return null;
}
