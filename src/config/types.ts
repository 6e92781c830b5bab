/**
 * The configuration as written in `turnkey.config.json` (after defaults are applied), and as used
 * by the program (paths made absolute). The JSON Schema in `config/turnkey.config.schema.json` is the
 * single source of truth for keys, ranges and defaults; these types mirror it.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ValidationSettings {
  schemasDir: string | null;
  maxBytes: number;
  clockSkewSeconds: number;
  lang: 'en' | 'zh-TW';
  b2cTaxIncluded: 'accept' | 'warn' | 'reject';
}

export interface IntakeSettings {
  messageTypes: string[];
  stabilitySeconds: number;
  rescanIntervalSeconds: number;
  batchSize: number;
  watch: boolean;
  retryDelaySeconds: number;
  /** null: chosen from the machine's cores; 0: validate on intake's thread. */
  validationWorkers: number | null;
}

export interface StoreSettings {
  finalBytesRetentionDays: number | null;
  busyTimeoutMs: number;
}

export interface DaemonSettings {
  heartbeatSeconds: number;
  drainTimeoutSeconds: number;
}

/** A secret as written: inline, or from an environment variable or a file. */
export type SecretRef = string | { env: string } | { file: string };

export interface PlatformSettings {
  mode: 'sandbox' | 'remote';
  partyId: string;
  routingId: string;
  toPartyId: string;
  toRoutingId: string;
  transport: { id: string; password: SecretRef };
  certificate: { pfx: string; password: SecretRef };
  sftp: { host: string; port: number; knownHostsFile: string; timeoutSeconds: number; algorithms: Record<string, string[]> | null };
  gateway: { baseUrl: string; connectTimeoutSeconds: number; totalTimeoutSeconds: number };
  actions: Record<string, string>;
  apiVersion: string;
  turnkeyVersion: string;
  simulator: { dataDir: string; processingDelayMs: number; b2cTaxIncluded: 'accept' | 'warn' | 'reject' };
}

export interface OutboundSettings {
  maxPackMessages: number;
  maxPackWaitSeconds: number;
  zip: boolean;
  concurrency: number;
  tickMs: number;
  resultPollSeconds: number;
  resultPollSoonSeconds: number;
  stuckUploadedMinutes: number;
  retry: { baseDelaySeconds: number; maxDelaySeconds: number; maxAttempts: number; maxAgeHours: number };
  breaker: { failureThreshold: number; openSeconds: number; maxOpenSeconds: number };
}

/** The file's content with every default filled in. */
export interface TurnkeyConfigFile {
  $schema?: string;
  dataRoot: string;
  database: string | null;
  logLevel: LogLevel;
  /** A group that shares SRC (write), BAK, ERR and DownCast (read) with the ERP's account; null: owner only. */
  group: string | null;
  validation: ValidationSettings;
  intake: IntakeSettings;
  store: StoreSettings;
  daemon: DaemonSettings;
  platform: PlatformSettings | null;
  outbound: OutboundSettings;
}

/** What the program uses: every path absolute. */
export interface TurnkeyConfig extends Omit<TurnkeyConfigFile, '$schema'> {
  /** Absolute path of the file this was loaded from. */
  configFile: string;
  /** Absolute. */
  dataRoot: string;
  /** Absolute. */
  database: string;
  validation: ValidationSettings & { schemasDir: string | null };
  /** Paths absolute, secrets' files absolute. */
  platform: PlatformSettings | null;
}
