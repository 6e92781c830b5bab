/**
 * Named failpoints for crash tests: `TURNKEY_FAILPOINTS=after-record` makes the process kill itself
 * with SIGKILL the first time it reaches that point; `after-record@3` on the third time. Several can
 * be listed, separated by commas. Unset (the normal case), a failpoint costs one Map lookup.
 */
import { writeSync } from 'node:fs';
import { FailpointSpecError } from './FailpointSpecError.js';

export { FailpointSpecError };

/** Every step boundary of intake, in the order a batch passes them. */
export const FAILPOINTS = {
  /** One file of the batch renamed from SRC to WORK, the others not yet. */
  'mid-claim': 'after the first file of a batch was claimed (renamed SRC → WORK)',
  /** The whole batch claimed and both folders fsynced. */
  'after-claim': 'after a batch was claimed and the folders fsynced, before reading',
  /** Read, hashed and validated; nothing recorded yet. */
  'after-validate': 'after a batch was read, hashed and validated, before the record transaction',
  /** Messages recorded in `received`; files still in WORK. */
  'after-record': 'after the record transaction committed, before any file was moved',
  /** The error report of a file written beside its ERR target; the file not yet moved. */
  'after-report': 'after an ERR report was written, before its file was moved',
  /** One file moved to BAK/ERR, the others not yet. */
  'mid-move': 'after the first file of a batch was moved to BAK/ERR',
  /** Every file moved and the folders fsynced; the messages still in `received`. */
  'after-move': 'after a batch was moved and the folders fsynced, before the settle transaction',
  /** The batch is complete. */
  'after-settle': 'after the settle transaction (received → queued/invalid) committed',
  /** Start-up recovery has re-filed one file. */
  'mid-recovery': 'during start-up recovery, after the first left-over file was re-filed',
  /** The daemon was asked to stop and has stopped taking files. */
  'mid-drain': 'while draining, after intake stopped and before the store was closed',
} as const;

/** A failpoint of intake; other modules add their own names with `defineFailpoints`. */
export type FailpointName = keyof typeof FAILPOINTS;

/** Every known failpoint (intake's and those other modules defined), with what it marks. */
const registry = new Map<string, string>(Object.entries(FAILPOINTS));

/**
 * Lets another module (e.g. outbound packing) declare its own failpoints, at module load, so that
 * `TURNKEY_FAILPOINTS` accepts them. Names must be new: a clash would make one test kill the other.
 */
export function defineFailpoints(points: Readonly<Record<string, string>>): void {
  for (const [name, description] of Object.entries(points)) {
    if (!/^[a-z][a-z-]*$/.test(name)) throw new Error(`failpoint names are lower-case words with dashes, got "${name}"`);
    const known = registry.get(name);
    if (known !== undefined && known !== description) throw new Error(`failpoint "${name}" is already defined`);
    registry.set(name, description);
  }
}

/** The failpoints known now (for error messages and tests). */
export function knownFailpoints(): ReadonlyMap<string, string> {
  return registry;
}

export const FAILPOINTS_ENV = 'TURNKEY_FAILPOINTS';


/** Parses `name[@hit],...` into the hit number that kills, per failpoint. */
export function parseFailpoints(spec: string | undefined): Map<string, number> {
  const armed = new Map<string, number>();
  if (!spec) return armed;
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const match = /^([a-z-]+)(?:@(\d+))?$/.exec(item);
    if (!match || !registry.has(match[1]!)) throw new FailpointSpecError(`${FAILPOINTS_ENV}: unknown failpoint "${item}"`, [...registry.keys()]);
    const hit = match[2] === undefined ? 1 : Number(match[2]);
    if (hit < 1) throw new FailpointSpecError(`${FAILPOINTS_ENV}: "${item}": the hit number counts from 1`, [...registry.keys()]);
    armed.set(match[1]!, hit);
  }
  return armed;
}

let armed: Map<string, number> | undefined;
const hits = new Map<string, number>();

/** Reads the environment variable; called once at start-up so a typo fails before any work. */
export function armFailpoints(spec: string | undefined = process.env[FAILPOINTS_ENV]): ReadonlyMap<string, number> {
  armed = parseFailpoints(spec);
  hits.clear();
  return armed;
}

/** Kills the process with SIGKILL when this point is armed and reached for the armed time. */
export function failpoint(name: FailpointName | (string & {})): void {
  armed ??= parseFailpoints(process.env[FAILPOINTS_ENV]);
  const at = armed.get(name);
  if (at === undefined) return;
  const count = (hits.get(name) ?? 0) + 1;
  hits.set(name, count);
  if (count === at) {
    // Written synchronously to fd 2: from a worker thread, process.stderr would only queue it for
    // the main thread, and the kill comes first.
    writeSync(2, `turnkey: failpoint ${name}@${at} reached: killing the process\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
