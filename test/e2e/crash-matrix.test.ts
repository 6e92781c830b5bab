/**
 * The crash matrix: the real daemon and simulator as processes, a mixed drop of every message type
 * (with files the daemon must refuse), the daemon killed with SIGKILL at every named failpoint of
 * sending (intake, record, move, pack, signed file written, upload, notify, result receive and
 * apply, maintenance pause and resume) and at random moments, then started again until everything
 * drains; the E0402 generation is killed at its own failpoints. After each trial:
 * - every input file is recorded exactly once and lies in exactly one of BAK/ERR, byte for byte;
 * - every valid message was accepted exactly once by the simulator (its record is the ground truth);
 * - no message is outside a final state, SRC and WORK are empty, no temporary file is left;
 * - the DownCast results name each confirmed or rejected message exactly once.
 *
 * `npm run test:crash -- [--trials N] [--invoices N]` runs N trials per failpoint (CRASH_TRIALS,
 * default 1) on a bigger drop (CRASH_INVOICES); the default suite runs one short trial of each.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INTAKE_FAILPOINTS } from '../../src/intake/intakeFailpoints.js';
import { mixedMessages } from '../../src/mig/MessageFactory.js';
import { OUTBOUND_FAILPOINTS } from '../../src/outbound/outboundFailpoints.js';
import { RESULT_FAILPOINTS } from '../../src/results/resultFailpoints.js';
import { SCHEDULE_FAILPOINTS } from '../../src/schedule/scheduleFailpoints.js';
import { periodBounds, periodOfTime, shiftPeriod } from '../../src/time/periods.js';
import { TRACK_FAILPOINTS } from '../../src/tracks/trackFailpoints.js';
import { ensureBuilt } from '../helpers/build.js';
import { runCli } from '../helpers/cli.js';
import { sleep, waitFor } from '../helpers/daemonProcess.js';
import { DEFAULT_SELLER_ID, f0401Xml, f0401XmlWithWrongTotal } from '../helpers/f0401.js';
import { acceptedOnce, PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

const TRIALS = Number(process.env.CRASH_TRIALS ?? 1);
const INVOICES = Number(process.env.CRASH_INVOICES ?? 20);
const RANDOM_TRIALS = Number(process.env.CRASH_RANDOM_TRIALS ?? 1);
const SEED = Number(process.env.CRASH_SEED ?? 20261206);

/** Failpoints that intake start-up recovery or draining reach, not a running daemon's flow: the intake crash test covers them. */
const NOT_IN_FLOW = new Set(['mid-recovery']);
/** Reached once per trial: one window, and a report per refused file (a batch may hold both refused files). */
const ONCE_PER_TRIAL = new Set(['after-pause', 'after-resume', 'after-report']);
const SENDING_FAILPOINTS = [
  ...Object.keys(INTAKE_FAILPOINTS).filter((f) => !NOT_IN_FLOW.has(f)),
  ...Object.keys(OUTBOUND_FAILPOINTS),
  ...Object.keys(RESULT_FAILPOINTS),
  ...Object.keys(SCHEDULE_FAILPOINTS),
];

/** Deterministic pseudo-random numbers, so a failing trial can be replayed with its CRASH_SEED. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sha = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

interface Dropped {
  type: string;
  name: string;
  number: string;
  sha256: string;
  valid: boolean;
}

/** What a trial found wrong; the report at the end counts them (must be 0). */
const report = { trials: 0, kills: 0, violations: [] as string[] };

describe('crash matrix (SIGKILL at every failpoint and at random, daemon and simulator as processes)', () => {
  const rand = random(SEED);
  let dir: ReturnType<typeof tempDir> | null = null;
  let pair: PlatformPair | null = null;

  beforeAll(() => ensureBuilt(), 180_000);
  afterEach(async () => {
    await pair?.stop();
    pair = null;
    if (!process.env.CRASH_KEEP) dir?.cleanup();
    else console.log(`kept ${dir?.path}`);
  });
  afterAll(() => {
    console.log(
      `crash matrix: ${report.trials} trials, ${report.kills} kills, ${report.violations.length} violations` +
        (report.violations.length > 0 ? `\n  ${report.violations.join('\n  ')}` : ''),
    );
  });

  async function newPair(windows?: { from: number; to: number }): Promise<PlatformPair> {
    dir = tempDir('turnkey-crash-matrix-');
    pair = await PlatformPair.create(dir.path, {
      outbound: { maxPackMessages: 25 },
      config: {
        intake: { batchSize: 20, stabilitySeconds: 0.05, rescanIntervalSeconds: 0.5, retryDelaySeconds: 0.2 },
        maintenance: {
          marginBeforeMinutes: 0,
          marginAfterMinutes: 0,
          resumeJitterSeconds: 0,
          probeSeconds: 1,
          ...(windows && {
            windows: [{ from: new Date(windows.from).toISOString(), to: new Date(windows.to).toISOString(), reason: 'crash matrix' }],
          }),
        },
      },
    });
    await pair.startSim();
    return pair;
  }

  /** Every type, plus two files intake must refuse (one invalid, one not XML). */
  function drop(p: PlatformPair, offset: number): Dropped[] {
    const messages = mixedMessages({ invoices: INVOICES, offset });
    const bad = [
      { type: 'F0401', name: 'wrong-total.xml', xml: f0401XmlWithWrongTotal({ number: 'ZZ00000001' }), number: 'ZZ00000001' },
      { type: 'G0401', name: 'not-xml.xml', xml: 'this is not XML', number: '' },
    ];
    p.dropMessages([...messages, ...bad]);
    return [
      ...messages.map((m) => ({ type: m.type, name: m.name, number: m.number, sha256: sha(m.xml), valid: true })),
      ...bad.map((m) => ({ type: m.type, name: m.name, number: m.number, sha256: sha(m.xml), valid: false })),
    ];
  }

  /** Starts the daemon again (without failpoints) and waits until everything is final. */
  async function drain(p: PlatformPair, dropped: readonly Dropped[]): Promise<void> {
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

  function record(trial: string, p: PlatformPair, dropped: readonly Dropped[], extra: string[] = []): string[] {
    report.trials++;
    const found = [...extra, ...violations(p, dropped)].map((v) => `${trial}: ${v}`);
    report.violations.push(...found);
    return found;
  }

  it.each(Array.from({ length: TRIALS }, (_, trial) => SENDING_FAILPOINTS.map((f) => [f, trial] as const)).flat())(
    'a kill at %s (trial %i) loses nothing and sends nothing twice',
    async (failpoint, trial) => {
      const maintenance = failpoint in SCHEDULE_FAILPOINTS;
      // A window that starts once the daemon runs, while the drop flows, and ends a few seconds later.
      const window = { from: Date.now() + 8_000, to: Date.now() + 12_000 };
      const p = await newPair(maintenance ? window : undefined);
      // Reached once or twice per trial: the second hit only where every trial reaches it more than once.
      const hit = ONCE_PER_TRIAL.has(failpoint) ? 1 : 1 + Math.floor(rand() * 2);
      const doomed = await p.startDaemon({ TURNKEY_FAILPOINTS: `${failpoint}@${hit}` });
      if (maintenance) await sleep(Math.max(0, window.from - 300 - Date.now()));
      const dropped = drop(p, trial * 10_000);
      const exit = await Promise.race([doomed.exited, sleep(60_000).then(() => null)]);
      const extra = exit?.signal === 'SIGKILL' ? [] : [`the daemon did not reach ${failpoint}@${hit} (${JSON.stringify(exit)})`];
      if (exit === null) await doomed.kill();
      else report.kills++;
      await drain(p, dropped);
      expect(record(`${failpoint}@${hit}`, p, dropped, extra)).toEqual([]);
    },
    240_000,
  );

  it.each(Array.from({ length: RANDOM_TRIALS }, (_, i) => i))(
    'kills at random moments (trial %i) lose nothing and send nothing twice',
    async (trial) => {
      const p = await newPair();
      await p.startDaemon();
      const dropped = drop(p, 500_000 + trial * 10_000);
      for (let kill = 0; kill < 3; kill++) {
        await sleep(200 + Math.floor(rand() * 1500));
        await p.daemon!.kill();
        report.kills++;
        await p.startDaemon();
      }
      await p.daemon!.stop();
      await drain(p, dropped);
      expect(record(`random #${trial}`, p, dropped)).toEqual([]);
    },
    240_000,
  );

  it.each(Object.keys(TRACK_FAILPOINTS))(
    'a kill at %s while generating E0402 sends each unused range exactly once',
    async (failpoint) => {
      const current = periodOfTime(Date.now());
      const previous = shiftPeriod(current, -1);
      const lastDay = periodBounds(previous)!.lastDate;
      dir = tempDir('turnkey-crash-matrix-');
      const p = await PlatformPair.create(dir.path, {
        sim: { allocations: [{ partyId: DEFAULT_SELLER_ID, period: previous, track: 'AB', begin: '12345600', end: '12345649' }] },
        config: { tracks: { blankReport: { auto: false } } },
      });
      pair = p;
      await p.startSim();
      await p.startDaemon();
      expect((await p.simAdmin('POST', '/_sim/e0501', { period: previous })).status).toBe(201);
      const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--config', p.daemonConfigFile], { env });
      await waitFor(
        async () => ((await cli(['tracks', '--period', previous, '--json'])).stdout.includes('AB12345600') ? true : null),
        'E0501',
      );
      const numbers = ['AB12345600', 'AB12345601', 'AB12345610'];
      const invoices = numbers.map((number) => ({ type: 'F0401', name: `${number}.xml`, xml: f0401Xml({ number, date: lastDay }) }));
      p.dropMessages(invoices);
      await p.waitForFinal(numbers.length, 60_000);

      const killed = await cli(['tracks', 'blank', '--period', previous, '--json'], { TURNKEY_FAILPOINTS: failpoint });
      const extra = killed.code === null ? [] : [`turnkey tracks blank did not reach ${failpoint} (exit ${killed.code})`];
      report.kills++;
      // Run again: it finishes what was recorded (or says it is done), never a second report.
      const again = await cli(['tracks', 'blank', '--period', previous, '--json']);
      expect([0, 1]).toContain(again.code);
      await p.waitForFinal(numbers.length + 1, 60_000);
      // One E0402 for the track, named by its first unused number: AB12345602–09 and AB12345611–49.
      const problems = [...extra, ...acceptedOnce(p.simStats(), [{ type: 'E0402', number: 'AB12345602' }])];
      const reports = new Database(p.database, { readonly: true });
      try {
        const sent = reports.prepare("SELECT count(*) FROM messages WHERE message_type = 'E0402'").pluck().get() as number;
        if (sent !== 1) problems.push(`${sent} E0402 messages recorded, not 1`);
      } finally {
        reports.close();
      }
      report.trials++;
      report.violations.push(...problems.map((v) => `${failpoint}: ${v}`));
      expect(problems).toEqual([]);
    },
    240_000,
  );
});

/** Every invariant of a drained trial; an empty list when all hold. */
function violations(p: PlatformPair, dropped: readonly Dropped[]): string[] {
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
    }
    const states = db.prepare('SELECT state, count(*) AS n FROM messages GROUP BY state').all() as Array<{ state: string; n: number }>;
    for (const { state, n } of states) if (!['confirmed', 'invalid'].includes(state)) found.push(`${n} message(s) left ${state}`);
    const told = downCastUuids(p.dir);
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

/** The files under every BAK and ERR folder, by `<type>/<name>` (reports excluded), with their folder and hash. */
function filedCopies(root: string): Map<string, Array<{ folder: string; sha256: string }>> {
  const copies = new Map<string, Array<{ folder: string; sha256: string }>>();
  for (const path of walk(join(root, 'UpCast'))) {
    const parts = relative(join(root, 'UpCast'), path).split(sep);
    const [, type, folder] = parts;
    if ((folder !== 'BAK' && folder !== 'ERR') || /\.err\.(txt|json)$/.test(path)) continue;
    const key = `${type}/${parts[parts.length - 1]}`;
    copies.set(key, [...(copies.get(key) ?? []), { folder, sha256: sha(readFileSync(path)) }]);
  }
  return copies;
}

/** How many DownCast results name each message. */
function downCastUuids(root: string): Map<string, number> {
  const told = new Map<string, number>();
  for (const path of walk(join(root, 'DownCast'))) {
    if (!path.endsWith('.json')) continue;
    const file = JSON.parse(readFileSync(path, 'utf8')) as { results: Array<{ uuid: string }> };
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
