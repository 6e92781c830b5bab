import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_NAME } from '../../src/config/configSchema.js';
import { parseConfig } from '../../src/config/loadConfig.js';
import type { TurnkeyConfig } from '../../src/config/types.js';

export type ConfigOverrides = Partial<Record<'validation' | 'intake' | 'store' | 'daemon', Record<string, unknown>>> &
  Partial<Record<'dataRoot' | 'database' | 'logLevel', unknown>>;

/** Fast settings for tests: short stability and rescan times, quick heartbeats. */
export const FAST: ConfigOverrides = {
  intake: { stabilitySeconds: 0.2, rescanIntervalSeconds: 1, retryDelaySeconds: 0.2, batchSize: 100 },
  daemon: { heartbeatSeconds: 0.5, drainTimeoutSeconds: 20 },
};

/** Writes a configuration file as given, without checking it (for testing how bad ones are refused). */
export function writeRawConfig(dir: string, content: unknown): string {
  const file = join(dir, CONFIG_FILE_NAME);
  writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
}

/** Writes `<dir>/turnkey.config.json` (data root = dir) and returns its path and the loaded config. */
export function writeTestConfig(dir: string, overrides: ConfigOverrides = FAST): { file: string; config: TurnkeyConfig } {
  const file = join(dir, CONFIG_FILE_NAME);
  const text = JSON.stringify({ dataRoot: '.', ...overrides }, null, 2);
  writeFileSync(file, text);
  return { file, config: parseConfig(text, file) };
}

export function merge(a: ConfigOverrides, b: ConfigOverrides): ConfigOverrides {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = typeof v === 'object' && v !== null && typeof prev === 'object' && prev !== null ? { ...prev, ...v } : v;
  }
  return out as ConfigOverrides;
}
