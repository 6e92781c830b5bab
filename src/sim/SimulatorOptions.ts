import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Algorithms } from 'ssh2';
import { ConfigError } from '../errors/TurnkeyError.js';
import type { SimAccountOptions } from './accounts/AccountRegistry.js';
import type { AllocationInput } from './e0501/AllocationBook.js';
import type { FaultSettingsPatch } from './faults/FaultPlan.js';
import type { MaintenanceWindowInput } from './maintenance/MaintenanceCalendar.js';
import { DEFAULT_EXTRA_RULES, type ExtraRules } from './processing/ExtraRules.js';
import type { SimLogger } from './SimLogger.js';

/** How to start a simulator in-process. Every key but `dataDir` has a default. */
export interface SimulatorOptions {
  /** The simulator's own folder: host key, SFTP folders, kept files, `sim.sqlite`. */
  dataDir: string;
  /** The file holding the `/_sim/` admin token (made on the first start, owner-only). Default `<dataDir>/admin.token`. */
  adminTokenFile?: string;
  sftp?: {
    /** 0 (default): a free port is picked and reported. */
    port?: number;
    /** ssh2 algorithm lists, e.g. to offer legacy algorithms only. */
    algorithms?: Algorithms;
  };
  gateway?: {
    /** 0 (default): a free port is picked and reported. */
    port?: number;
    /** Default `/gateway/api`. */
    basePath?: string;
    /** Required `action` per message type; default `{ "F0401": "C0401" }` (the observed pair). */
    actions?: Record<string, string>;
  };
  accounts?: SimAccountOptions[];
  /** How long after acceptance a pack is processed. Default 0. */
  processingDelayMs?: number;
  /** The round trip of a simulated link, added to every SFTP and gateway answer. Default 0. */
  latencyMs?: number;
  /** Worker threads that open and validate packs; 0 processes in the main thread. Default: the cores, 1 to 4. */
  processingWorkers?: number;
  validation?: Partial<ExtraRules> & {
    /** B2C invoices with tax-included amounts and TaxAmount 0: default `warn` (accepted), as the validator. */
    b2cTaxIncluded?: 'accept' | 'warn' | 'reject';
    /** How far in the future a date may be. Default 300. */
    clockSkewSeconds?: number;
  };
  maintenance?: MaintenanceWindowInput[];
  faults?: FaultSettingsPatch;
  allocations?: AllocationInput[];
  e0501?: {
    /** Deliver available allocations (each merchant and period once) every this many ms; null (default): only on request. */
    scheduleIntervalMs?: number | null;
  };
  logger?: SimLogger;
}

export interface ResolvedSimulatorOptions {
  dataDir: string;
  adminTokenFile: string;
  sftp: { port: number; algorithms: Algorithms | undefined };
  gateway: { port: number; basePath: string; actions: Record<string, string> };
  accounts: SimAccountOptions[];
  processingDelayMs: number;
  latencyMs: number;
  processingWorkers: number;
  validation: { b2cTaxIncluded: 'accept' | 'warn' | 'reject'; clockSkewSeconds: number };
  rules: ExtraRules;
  maintenance: MaintenanceWindowInput[];
  faults: FaultSettingsPatch;
  allocations: AllocationInput[];
  e0501: { scheduleIntervalMs: number | null };
}

export const DEFAULT_BASE_PATH = '/gateway/api';
export const DEFAULT_ACTIONS: Readonly<Record<string, string>> = { F0401: 'C0401' };

export function defaultProcessingWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** Applies the defaults and refuses what cannot work, naming the key. */
export function resolveSimulatorOptions(options: SimulatorOptions): ResolvedSimulatorOptions {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check(typeof options.dataDir === 'string' && options.dataDir !== '', 'dataDir must be a folder path');
  const sftpPort = options.sftp?.port ?? 0;
  const gatewayPort = options.gateway?.port ?? 0;
  check(isPort(sftpPort), 'sftp.port must be a whole number from 0 to 65535');
  check(isPort(gatewayPort), 'gateway.port must be a whole number from 0 to 65535');
  const basePath = options.gateway?.basePath ?? DEFAULT_BASE_PATH;
  check(/^(\/[A-Za-z0-9._~-]+)*$/.test(basePath), 'gateway.basePath must be like /gateway/api (no trailing slash), or "" for the root');
  const actions = options.gateway?.actions ?? { ...DEFAULT_ACTIONS };
  for (const [type, action] of Object.entries(actions)) {
    check(
      /^[A-Z][0-9]{4}$/.test(type) && typeof action === 'string' && action !== '',
      `gateway.actions.${type} must map a message type to a non-empty action`,
    );
  }
  const accounts = options.accounts ?? [];
  accounts.forEach((a, i) => {
    const where = `accounts[${i}]`;
    // The transport id names the account's SFTP folder: keep it a plain name.
    check(
      typeof a.transportId === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(a.transportId),
      `${where}.transportId must be 1-64 letters, digits, ".", "_" or "-"`,
    );
    check(typeof a.password === 'string' && a.password !== '', `${where}.password must not be empty`);
    check(typeof a.partyId === 'string' && a.partyId !== '', `${where}.partyId must not be empty`);
    check(typeof a.routingId === 'string' && a.routingId !== '', `${where}.routingId must not be empty`);
    check(
      Array.isArray(a.certificates) && a.certificates.length > 0,
      `${where}.certificates must list at least one registered certificate`,
    );
  });
  const processingDelayMs = options.processingDelayMs ?? 0;
  check(isWhole(processingDelayMs), 'processingDelayMs must be a whole number >= 0');
  const latencyMs = options.latencyMs ?? 0;
  check(isWhole(latencyMs) && latencyMs <= 10_000, 'latencyMs must be a whole number from 0 to 10000');
  const processingWorkers = options.processingWorkers ?? defaultProcessingWorkers();
  check(isWhole(processingWorkers) && processingWorkers <= 16, 'processingWorkers must be a whole number from 0 to 16');
  const v = options.validation ?? {};
  const b2cTaxIncluded = v.b2cTaxIncluded ?? 'warn';
  check(['accept', 'warn', 'reject'].includes(b2cTaxIncluded), 'validation.b2cTaxIncluded must be "accept", "warn" or "reject"');
  const clockSkewSeconds = v.clockSkewSeconds ?? 300;
  check(isWhole(clockSkewSeconds), 'validation.clockSkewSeconds must be a whole number >= 0');
  const scheduleIntervalMs = options.e0501?.scheduleIntervalMs ?? null;
  check(
    scheduleIntervalMs === null || (isWhole(scheduleIntervalMs) && scheduleIntervalMs >= 100),
    'e0501.scheduleIntervalMs must be null or at least 100',
  );
  let rules: ExtraRules = DEFAULT_EXTRA_RULES;
  try {
    rules = checkRules({ ...DEFAULT_EXTRA_RULES, ...pickRules(v) });
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) throw new ConfigError(`invalid simulator options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return {
    dataDir: resolve(options.dataDir),
    adminTokenFile: resolve(options.adminTokenFile ?? join(options.dataDir, 'admin.token')),
    sftp: { port: sftpPort, algorithms: options.sftp?.algorithms },
    gateway: { port: gatewayPort, basePath, actions },
    accounts,
    processingDelayMs,
    latencyMs,
    processingWorkers,
    validation: { b2cTaxIncluded, clockSkewSeconds },
    rules,
    maintenance: options.maintenance ?? [],
    faults: options.faults ?? {},
    allocations: options.allocations ?? [],
    e0501: { scheduleIntervalMs },
  };
}

function pickRules(v: Partial<ExtraRules>): Partial<ExtraRules> {
  const rules: Partial<ExtraRules> = {};
  if (v.rejectInvoiceNumbers !== undefined) rules.rejectInvoiceNumbers = v.rejectInvoiceNumbers;
  if (v.requireSellerIsSender !== undefined) rules.requireSellerIsSender = v.requireSellerIsSender;
  if (v.requireAllocatedNumbers !== undefined) rules.requireAllocatedNumbers = v.requireAllocatedNumbers;
  return rules;
}

/** Checks a full set of extra rules (also used when they are changed at run time). */
export function checkRules(rules: ExtraRules): ExtraRules {
  const known = ['rejectInvoiceNumbers', 'requireSellerIsSender', 'requireAllocatedNumbers'];
  const unknown = Object.keys(rules).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new ConfigError(`validation.${unknown}: unknown rule (known: ${known.join(', ')})`);
  if (!Array.isArray(rules.rejectInvoiceNumbers) || rules.rejectInvoiceNumbers.some((n) => typeof n !== 'string' || n === '')) {
    throw new ConfigError('validation.rejectInvoiceNumbers must be a list of message numbers');
  }
  if (typeof rules.requireSellerIsSender !== 'boolean') throw new ConfigError('validation.requireSellerIsSender must be true or false');
  if (typeof rules.requireAllocatedNumbers !== 'boolean') throw new ConfigError('validation.requireAllocatedNumbers must be true or false');
  return { ...rules, rejectInvoiceNumbers: [...rules.rejectInvoiceNumbers] };
}

function isPort(n: unknown): boolean {
  return Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 65535;
}

function isWhole(n: unknown): boolean {
  return Number.isSafeInteger(n) && (n as number) >= 0;
}
