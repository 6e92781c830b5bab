import { readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError, TurnkeyError } from '../errors/index.js';
import type { TurnkeyConfig } from '../config/types.js';
import { LOCK_FILE_NAME } from './DataRootLock.js';

/** What marks a folder as a data root: turnkey's own files, or the folders of a Turnkey installation it takes over. */
const MARKS = ['UpCast', 'DownCast', 'turnkey.config.json'];

/**
 * The daemon makes folders and tightens permissions in its data root: given a folder that is not
 * one (a typo, a home folder, `/`), it would fill it with UpCast/DownCast and change its modes. A
 * data root is empty, or holds turnkey's database, or turnkey's (or Java Turnkey's) folders. Run
 * once, before anything (the log file included) is created in it.
 */
export function refuseForeignFolder(config: Pick<TurnkeyConfig, 'dataRoot' | 'database' | 'configFile'>): void {
  let entries: string[];
  try {
    // The lock (and its journal) alone is what an init killed while it held the folder leaves.
    entries = readdirSync(config.dataRoot).filter((name) => !name.startsWith(LOCK_FILE_NAME));
  } catch (cause) {
    throw new ConfigError(`dataRoot: ${config.dataRoot} cannot be read as a folder (${(cause as NodeJS.ErrnoException).code})`, {
      cause,
      hint: `Point dataRoot in ${config.configFile} at the folder \`turnkey init\` made.`,
    });
  }
  // Only a database inside the data root marks it: one kept elsewhere says nothing about this folder.
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
