import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError, TurnkeyError } from '../errors/index.js';
import type { TurnkeyConfig } from '../config/types.js';

/** What marks a folder as a data root: turnkey's own files, or the folders of a Turnkey installation it takes over. */
const MARKS = ['UpCast', 'DownCast', 'turnkey.config.json'];

/**
 * The daemon makes folders and tightens permissions in its data root: given a folder that is not
 * one (a typo, a home folder, `/`), it would fill it with UpCast/DownCast and change its modes. A
 * data root is empty, or holds the database, or turnkey's (or Java Turnkey's) folders.
 */
export function refuseForeignFolder(config: Pick<TurnkeyConfig, 'dataRoot' | 'database' | 'configFile'>): void {
  if (existsSync(config.database)) return;
  const entries = readdirSync(config.dataRoot);
  const databaseHere = resolve(dirname(config.database)) === resolve(config.dataRoot) ? basename(config.database) : null;
  if (entries.length === 0 || entries.some((name) => MARKS.includes(name) || name === databaseHere)) return;
  throw new ConfigError(
    `the data root ${config.dataRoot} is not empty and is not a turnkey data root (no database, no UpCast or DownCast folder): ` +
      'refusing to fill it',
    { hint: `Point dataRoot in ${config.configFile} at the folder \`turnkey init\` made, or at an empty folder.` },
  );
}

/** A schema folder that cannot be used, named by the setting that gave it (the validator knows only the folder). */
export function namedSetting(err: unknown, setting: string): unknown {
  if (!(err instanceof TurnkeyError) || err.code !== 'schema-load') return err;
  return new ConfigError(`${setting}: ${err.message}`, { cause: err, ...(err.hint !== undefined && { hint: err.hint }) });
}
