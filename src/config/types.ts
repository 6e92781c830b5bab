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

export interface TransportSettings {
  id: string;
  password: SecretRef;
}

export interface CertificateSettings {
  pfx: string;
  password: SecretRef;
}

/** One sender (party) as written: everything but its BAN may default. */
export interface SenderEntry {
  partyId: string;
  routingId?: string;
  bans?: string[];
  transport?: TransportSettings;
  certificate?: CertificateSettings;
}

/** A sender with every default applied: who it is, whom it sends for, how it signs and logs in. */
export interface SenderSettings {
  partyId: string;
  routingId: string;
  /** Sellers it sends for; `*` covers every seller. */
  bans: string[];
  transport: TransportSettings;
  certificate: CertificateSettings;
}

/** The `platform` section as written. */
export interface PlatformSettingsFile {
  mode: 'sandbox' | 'remote';
  partyId?: string;
  routingId?: string;
  toPartyId: string;
  toRoutingId: string;
  transport?: TransportSettings;
  certificate?: CertificateSettings;
  senders?: SenderEntry[];
  sftp: { host: string; port: number; knownHostsFile: string; timeoutSeconds: number; algorithms: Record<string, string[]> | null };
  gateway: { baseUrl: string; connectTimeoutSeconds: number; totalTimeoutSeconds: number };
  actions: Record<string, string>;
  apiVersion: string;
  turnkeyVersion: string;
  simulator: { dataDir: string; processingDelayMs: number; b2cTaxIncluded: 'accept' | 'warn' | 'reject' };
}

/** The `platform` section as the program uses it: the senders resolved (never empty), paths absolute. */
export interface PlatformSettings extends Omit<PlatformSettingsFile, 'partyId' | 'routingId' | 'transport' | 'certificate' | 'senders'> {
  senders: SenderSettings[];
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
  platform: PlatformSettingsFile | null;
  outbound: OutboundSettings;
}

/** What the program uses: every path absolute. */
export interface TurnkeyConfig extends Omit<TurnkeyConfigFile, '$schema' | 'platform'> {
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
