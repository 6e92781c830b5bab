import { existsSync } from 'node:fs';
import Database from '../../sqlite/Database.js';
import { SimError } from '../SimError.js';
import { queryStats, type SimStats } from './statsQueries.js';

/**
 * Reads the counts from a simulator's `sim.sqlite` without writing to it (while the simulator
 * runs or after): `turnkey sim stats` uses this.
 */
export function readSimStats(databaseFile: string, options: { invoice?: string } = {}): SimStats {
  if (!existsSync(databaseFile)) {
    throw new SimError('sim-database', `no simulator database at ${databaseFile}`, {
      hint: 'Run `turnkey sim` with the same configuration first; it creates sim.sqlite in its dataDir.',
    });
  }
  let db: Database.Database;
  try {
    db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new SimError('sim-database', `cannot open ${databaseFile} read-only: ${(cause as Error).message}`, { cause });
  }
  try {
    return queryStats(db, options);
  } finally {
    db.close();
  }
}
