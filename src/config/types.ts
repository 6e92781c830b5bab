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
}

export interface StoreSettings {
  finalBytesRetentionDays: number | null;
  busyTimeoutMs: number;
}

export interface DaemonSettings {
  heartbeatSeconds: number;
  drainTimeoutSeconds: number;
}

/** The file's content with every default filled in. */
export interface TurnkeyConfigFile {
  $schema?: string;
  dataRoot: string;
  database: string | null;
  logLevel: LogLevel;
  validation: ValidationSettings;
  intake: IntakeSettings;
  store: StoreSettings;
  daemon: DaemonSettings;
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
}
