/**
 * Named failpoints for crash tests: `TURNKEY_FAILPOINTS=after-record` makes the process kill itself
 * with SIGKILL the first time it reaches that point; `after-record@3` on the third time. Several can
 * be listed, separated by commas. Unset (the normal case), a failpoint costs one Map lookup. Each
 * area declares its own (intakeFailpoints, outboundFailpoints, resultFailpoints, daemonFailpoints).
 */
import { writeSync } from 'node:fs';
import { FailpointSpecError } from './FailpointSpecError.js';

export { FailpointSpecError };

/** Every known failpoint (declared by the areas that reach them), with what it marks. */
const registry = new Map<string, string>();

/**
 * Declares an area's failpoints (at module load, so that `TURNKEY_FAILPOINTS` accepts them) and
 * returns the function the area calls at each, typed to its own names. Names must be new: a
 * clash would make one test kill the other.
 */
export function defineFailpoints<const P extends Readonly<Record<string, string>>>(points: P): (name: keyof P & string) => void {
  for (const [name, description] of Object.entries(points)) {
    if (!/^[a-z][a-z-]*$/.test(name)) throw new Error(`failpoint names are lower-case words with dashes, got "${name}"`);
    const known = registry.get(name);
    if (known !== undefined && known !== description) throw new Error(`failpoint "${name}" is already defined`);
    registry.set(name, description);
  }
  return failpoint;
}

/** The failpoints known now (for error messages and tests). */
export function knownFailpoints(): ReadonlyMap<string, string> {
  return registry;
}

export const FAILPOINTS_ENV = 'TURNKEY_FAILPOINTS';

/**
 * Parses `name[@hit],...` into the hit number that kills, per failpoint. Strict (the main thread
 * at start-up, with every area loaded) refuses an unknown name; lenient (a worker thread, which
 * loads only its own area) passes over the names it does not know.
 */
export function parseFailpoints(spec: string | undefined, options: { strict?: boolean } = {}): Map<string, number> {
  const strict = options.strict ?? true;
  const armed = new Map<string, number>();
  if (!spec) return armed;
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const match = /^([a-z-]+)(?:@(\d+))?$/.exec(item);
    if (match && !registry.has(match[1]!) && !strict) continue;
    if (!match || !registry.has(match[1]!))
      throw new FailpointSpecError(`${FAILPOINTS_ENV}: unknown failpoint "${item}"`, [...registry.keys()]);
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
function failpoint(name: string): void {
  armed ??= parseFailpoints(process.env[FAILPOINTS_ENV], { strict: false });
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
