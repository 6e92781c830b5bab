/**
 * The configuration as written in `turnkey.config.json` (after defaults are applied), and as used
 * by the program (paths made absolute, senders resolved). The types of the file are derived from
 * its JSON Schema (turnkeyConfigSchema.ts, through json-schema-to-ts): a key added, renamed or
 * given another range there changes them, so they cannot drift apart.
 */
import type { TurnkeyConfigFile } from './turnkeyConfigSchema.js';

export type { TurnkeyConfigFile } from './turnkeyConfigSchema.js';

export type LogLevel = TurnkeyConfigFile['logLevel'];
export type ValidationSettings = TurnkeyConfigFile['validation'];
export type IntakeSettings = TurnkeyConfigFile['intake'];
export type StoreSettings = TurnkeyConfigFile['store'];
export type DaemonSettings = TurnkeyConfigFile['daemon'];
export type OutboundSettings = TurnkeyConfigFile['outbound'];
export type DeadlineSettings = TurnkeyConfigFile['deadlines'];
export type DeadlineRule = DeadlineSettings['rules'][number];
export type ScheduleSettings = TurnkeyConfigFile['schedules'];
export type TrackSettings = TurnkeyConfigFile['tracks'];
export type ScheduleName = keyof ScheduleSettings;

/** A window of the configuration, its times read (epoch milliseconds). */
export interface ConfiguredWindow {
  from: number;
  to: number;
  reason: string;
}

/** An announcement feed: a URL or an absolute file path. */
export interface FeedSettings {
  location: string;
  kind: 'url' | 'file';
  format: 'auto' | 'ics' | 'json' | 'notice';
}

/** The `maintenance` section as the program uses it: times read, feed files absolute. */
export interface MaintenanceSettings extends Omit<TurnkeyConfigFile['maintenance'], 'windows' | 'feeds'> {
  windows: ConfiguredWindow[];
  feeds: FeedSettings[];
}

/** The `platform` section as written. */
export type PlatformSettingsFile = NonNullable<TurnkeyConfigFile['platform']>;

/** A secret as written: inline, or from an environment variable or a file. */
export type SecretRef = NonNullable<PlatformSettingsFile['transport']>['password'];
export type TransportSettings = NonNullable<PlatformSettingsFile['transport']>;
export type CertificateSettings = NonNullable<PlatformSettingsFile['certificate']>;

/** One sender (party) as written: everything but its BAN may default. */
export type SenderEntry = NonNullable<PlatformSettingsFile['senders']>[number];

/** A sender with every default applied: who it is, whom it sends for, how it signs and logs in. */
export interface SenderSettings {
  partyId: string;
  routingId: string;
  /** Sellers it sends for; `*` covers every seller. */
  bans: string[];
  transport: TransportSettings;
  certificate: CertificateSettings;
}

/** The `platform` section as the program uses it: the senders resolved (never empty), paths absolute. */
export interface PlatformSettings extends Omit<PlatformSettingsFile, 'partyId' | 'routingId' | 'transport' | 'certificate' | 'senders'> {
  senders: SenderSettings[];
}

/** What the program uses: every path absolute. */
/** The `log` section as the program uses it: the file's path absolute, or null for none. */
export interface LogSettings extends Omit<TurnkeyConfigFile['log'], 'file'> {
  file: string | null;
}

export interface TurnkeyConfig extends Omit<TurnkeyConfigFile, '$schema' | 'platform' | 'database' | 'maintenance' | 'log'> {
  /** Absolute path of the file this was loaded from. */
  configFile: string;
  /** Absolute. */
  dataRoot: string;
  /** Absolute. */
  database: string;
  /** Paths absolute, secrets' files absolute, senders resolved. */
  platform: PlatformSettings | null;
  maintenance: MaintenanceSettings;
  log: LogSettings;
}
