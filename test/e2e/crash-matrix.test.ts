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
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INTAKE_FAILPOINTS } from '../../src/intake/intakeFailpoints.js';
import { OUTBOUND_FAILPOINTS } from '../../src/outbound/outboundFailpoints.js';
import { RESULT_FAILPOINTS } from '../../src/results/resultFailpoints.js';
import { SCHEDULE_FAILPOINTS } from '../../src/schedule/scheduleFailpoints.js';
import { periodBounds, periodOfTime, shiftPeriod } from '../../src/time/periods.js';
import { TRACK_FAILPOINTS } from '../../src/tracks/trackFailpoints.js';
import { ensureBuilt } from '../helpers/build.js';
import { runCli } from '../helpers/cli.js';
import { drain, dropMixed, killAtFailpoint, seededRandom, TrialReport } from '../helpers/crashInvariants.js';
import { sleep, waitFor } from '../helpers/daemonProcess.js';
import { DEFAULT_SELLER_ID, f0401Xml } from '../helpers/f0401.js';
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

/** What the trials found wrong; the report at the end counts them (must be 0). */
const report = new TrialReport();

describe('crash matrix (SIGKILL at every failpoint and at random, daemon and simulator as processes)', () => {
  const rand = seededRandom(SEED);
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
    console.log(report.summary('crash matrix', 'kills'));
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

  it.each(Array.from({ length: TRIALS }, (_, trial) => SENDING_FAILPOINTS.map((f) => [f, trial] as const)).flat())(
    'a kill at %s (trial %i) loses nothing and sends nothing twice',
    async (failpoint, trial) => {
      const maintenance = failpoint in SCHEDULE_FAILPOINTS;
      // A window that starts once the daemon runs, while the drop flows, and ends a few seconds later.
      const window = { from: Date.now() + 8_000, to: Date.now() + 12_000 };
      const p = await newPair(maintenance ? window : undefined);
      // Reached once or twice per trial: the second hit only where every trial reaches it more than once.
      const hit = ONCE_PER_TRIAL.has(failpoint) ? 1 : 1 + Math.floor(rand() * 2);
      const { dropped, extra, killed } = await killAtFailpoint(
        p,
        failpoint,
        hit,
        () => dropMixed(p, INVOICES, trial * 10_000),
        async () => {
          if (maintenance) await sleep(Math.max(0, window.from - 300 - Date.now()));
        },
      );
      if (killed) report.kills++;
      await drain(p, dropped);
      expect(report.record(`${failpoint}@${hit}`, p, dropped, extra)).toEqual([]);
    },
    240_000,
  );

  it.each(Array.from({ length: RANDOM_TRIALS }, (_, i) => i))(
    'kills at random moments (trial %i) lose nothing and send nothing twice',
    async (trial) => {
      const p = await newPair();
      await p.startDaemon();
      const dropped = dropMixed(p, INVOICES, 500_000 + trial * 10_000);
      for (let kill = 0; kill < 3; kill++) {
        await sleep(200 + Math.floor(rand() * 1500));
        await p.daemon!.kill();
        report.kills++;
        await p.startDaemon();
      }
      await p.daemon!.stop();
      await drain(p, dropped);
      expect(report.record(`random #${trial}`, p, dropped)).toEqual([]);
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
