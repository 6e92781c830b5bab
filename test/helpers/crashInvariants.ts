import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import { reportNames } from '../../src/intake/fileNames.js';
import { mixedMessages } from '../../src/mig/MessageFactory.js';
import { sleep, waitFor } from './daemonProcess.js';
import { f0401XmlWithWrongTotal } from './f0401.js';
import { acceptedOnce, type PlatformPair } from './platformPair.js';

/**
 * What the crash tests check once a trial has drained: the invariants of "nothing lost, nothing
 * sent twice" over the daemon's store, its folders, its DownCast results and the simulator's record.
 */

/** A file the test dropped, as the invariants need it. */
export interface Dropped {
  type: string;
  name: string;
  number: string;
  sha256: string;
  valid: boolean;
}

export const sha = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** Deterministic pseudo-random numbers, so a failing trial can be replayed with its CRASH_SEED. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The trials of a run, its kills, and what they found wrong (must be nothing). */
export class TrialReport {
  trials = 0;
  kills = 0;
  readonly violations: string[] = [];

  /** Checks a drained trial: its violations (with `extra`, found on the way), named by the trial. */
  record(trial: string, p: PlatformPair, dropped: readonly Dropped[], extra: readonly string[] = []): string[] {
    this.trials++;
    const found = [...extra, ...violations(p, dropped)].map((v) => `${trial}: ${v}`);
    this.violations.push(...found);
    return found;
  }

  summary(what: string, kills: string): string {
    return (
      `${what}: ${this.trials} trials, ${this.kills} ${kills}, ${this.violations.length} violations` +
      (this.violations.length > 0 ? `\n  ${this.violations.join('\n  ')}` : '')
    );
  }
}

/**
 * Starts the daemon armed to kill itself at `failpoint@hit`, drops (`drop`, once it runs), and waits
 * for the kill; a daemon that never reaches it is killed after a minute, and that is a violation.
 */
export async function killAtFailpoint(
  p: PlatformPair,
  failpoint: string,
  hit: number,
  drop: () => Dropped[],
  beforeDrop: () => Promise<void> = async () => undefined,
): Promise<{ dropped: Dropped[]; extra: string[]; killed: boolean }> {
  const doomed = await p.startDaemon({ TURNKEY_FAILPOINTS: `${failpoint}@${hit}` }).catch(async (err: unknown) => {
    // On a loaded machine the daemon can reach its failpoint while it still starts (a maintenance
    // window that has begun by then): that is a kill at the failpoint all the same.
    const started = p.daemon;
    const reached = started !== null && !started.isRunning && started.output.stderr.includes(`failpoint ${failpoint}@${hit} reached`);
    if (reached && (await started.exited).signal === 'SIGKILL') return started;
    throw err;
  });
  await beforeDrop();
  const dropped = drop();
  const exit = await Promise.race([doomed.exited, sleep(60_000).then(() => null)]);
  const killed = exit?.signal === 'SIGKILL';
  if (exit === null) await doomed.kill();
  return { dropped, extra: killed ? [] : [`the daemon did not reach ${failpoint}@${hit} (${JSON.stringify(exit)})`], killed };
}

/**
 * Drops `invoices` invoices of every type, plus two files intake must refuse (one invalid, one not
 * XML), last or (`refusedFirst`) first, so that they are in intake's first batch. `durable`: each
 * file fsync'd before its rename into SRC, as a careful ERP writes.
 */
export function dropMixed(
  p: PlatformPair,
  invoices: number,
  offset: number,
  options: { durable?: boolean; refusedFirst?: boolean } = {},
): Dropped[] {
  const messages = mixedMessages({ invoices, offset });
  const bad = [
    { type: 'F0401', name: 'wrong-total.xml', xml: f0401XmlWithWrongTotal({ number: 'ZZ00000001' }), number: 'ZZ00000001' },
    { type: 'G0401', name: 'not-xml.xml', xml: 'this is not XML', number: '' },
  ];
  p.dropMessages(options.refusedFirst ? [...bad, ...messages] : [...messages, ...bad], options);
  return [
    ...messages.map((m) => ({ type: m.type, name: m.name, number: m.number, sha256: sha(m.xml), valid: true })),
    ...bad.map((m) => ({ type: m.type, name: m.name, number: m.number, sha256: sha(m.xml), valid: false })),
  ];
}

/** Starts the daemon again (without failpoints) and waits until everything is final and the invariants hold. */
export async function drain(p: PlatformPair, dropped: readonly Dropped[]): Promise<void> {
  await p.startDaemon();
  const valid = dropped.filter((d) => d.valid).length;
  await p.waitForFinal(valid, 120_000);
  // DownCast files and the last renames follow the final states: on a loaded machine, by up to the
  // sending loop's deferral of results and DownCast files (30 s) behind intake.
  // A check that throws (a file renamed while it was listed) is a check to make again.
  const holds = (): true | null => {
    try {
      return violations(p, dropped).length === 0 ? true : null;
    } catch {
      return null;
    }
  };
  await waitFor(holds, 'the invariants to hold', 45_000, 250).catch(() => undefined);
}

/** Every invariant of a drained trial; an empty list when all hold. */
export function violations(p: PlatformPair, dropped: readonly Dropped[]): string[] {
  const found: string[] = [];
  const db = new Database(p.database, { readonly: true });
  try {
    const files = db.prepare('SELECT original_name AS name, disposition, sha256 FROM intake_files').all() as Array<{
      name: string;
      disposition: 'BAK' | 'ERR';
      sha256: string;
    }>;
    const byName = new Map<string, typeof files>();
    for (const f of files) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
    const onDisk = filedCopies(p.dir);
    for (const d of dropped) {
      const rows = byName.get(d.name) ?? [];
      if (rows.length !== 1) found.push(`${d.name} recorded ${rows.length} times`);
      const copies = onDisk.get(`${d.type}/${d.name}`) ?? [];
      if (copies.length !== 1) found.push(`${d.name} is in ${copies.length} of BAK/ERR (${copies.map((c) => c.folder).join(', ')})`);
      else if (copies[0]!.sha256 !== d.sha256) found.push(`${d.name} in ${copies[0]!.folder} is not the file dropped`);
      else if (copies[0]!.folder !== (d.valid ? 'BAK' : 'ERR')) found.push(`${d.name} is in ${copies[0]!.folder}`);
      else if (!d.valid) found.push(...reportProblems(d, copies[0]!.path));
    }
    const states = db.prepare('SELECT state, count(*) AS n FROM messages GROUP BY state').all() as Array<{ state: string; n: number }>;
    for (const { state, n } of states) if (!['confirmed', 'invalid'].includes(state)) found.push(`${n} message(s) left ${state}`);
    const told = downCastUuids(p.dir, found);
    const final = db.prepare("SELECT uuid FROM messages WHERE state IN ('confirmed', 'rejected')").pluck().all() as string[];
    for (const uuid of final) {
      const times = told.get(uuid) ?? 0;
      if (times !== 1) found.push(`message ${uuid} is in ${times} DownCast results`);
    }
    if (told.size !== final.length) found.push(`DownCast names ${told.size} messages; ${final.length} are final`);
  } finally {
    db.close();
  }
  found.push(
    ...acceptedOnce(
      p.simStats(),
      dropped.filter((d) => d.valid),
    ),
  );
  for (const left of leftovers(p.dir)) found.push(`left behind: ${left}`);
  return found;
}

/** A refused file's reports beside it: the JSON one names it and its hash, the text one is not empty. */
function reportProblems(d: Dropped, path: string): string[] {
  const names = reportNames(path);
  try {
    const json = JSON.parse(readFileSync(names.json, 'utf8')) as { file?: string; sha256?: string };
    if (json.file !== d.name || json.sha256 !== d.sha256) return [`${d.name}: its ERR report names ${json.file} (${json.sha256})`];
    if (readFileSync(names.text, 'utf8').trim() === '') return [`${d.name}: its text ERR report is empty`];
    return [];
  } catch (err) {
    return [`${d.name}: its ERR reports cannot be read (${(err as Error).message})`];
  }
}

/** The files under every BAK and ERR folder, by `<type>/<name>` (reports excluded), with their folder, path and hash. */
function filedCopies(root: string): Map<string, Array<{ folder: string; path: string; sha256: string }>> {
  const copies = new Map<string, Array<{ folder: string; path: string; sha256: string }>>();
  for (const path of walk(join(root, 'UpCast'))) {
    const parts = relative(join(root, 'UpCast'), path).split(sep);
    const [, type, folder] = parts;
    if ((folder !== 'BAK' && folder !== 'ERR') || /\.err\.(txt|json)$/.test(path)) continue;
    const key = `${type}/${parts[parts.length - 1]}`;
    copies.set(key, [...(copies.get(key) ?? []), { folder, path, sha256: sha(readFileSync(path)) }]);
  }
  return copies;
}

/** How many DownCast results name each message; a DownCast file that is not whole JSON is a problem named. */
function downCastUuids(root: string, problems: string[]): Map<string, number> {
  const told = new Map<string, number>();
  for (const path of walk(join(root, 'DownCast'))) {
    if (!path.endsWith('.json')) continue;
    let file: { results: Array<{ uuid: string }> };
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as typeof file;
    } catch (err) {
      problems.push(`DownCast ${relative(root, path)} is not whole: ${(err as Error).message}`);
      continue;
    }
    for (const r of file.results) told.set(r.uuid, (told.get(r.uuid) ?? 0) + 1);
  }
  return told;
}

/** Files in SRC or WORK, and temporary files anywhere in the daemon's data root (the simulator's folder aside). */
function leftovers(root: string): string[] {
  return walk(root)
    .map((path) => relative(root, path))
    .filter((path) => !path.startsWith(`sim${sep}`))
    .filter((path) => /(^|\/)(SRC|WORK)\//.test(path) || /\.tmp$|\.partial/.test(path) || /(^|\/)\.[^/]+\.\d+\.tmp$/.test(path));
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false); // a temporary file may be renamed meanwhile
}
