/**
 * The fault soak: N invoices (with their cancels, voids, allowances, allocations and blank reports:
 * every message type) flow through the real daemon to the real simulator while the simulator injects
 * every fault it knows at the given rate (connections refused, uploads cut mid-file, gateway 500,
 * 502 and 503, connections reset, answers that come only after the daemon's gateway timeout
 * although the pack was accepted, slow answers, results delayed past that timeout and results
 * written twice), and the platform goes into an announced maintenance window halfway. It must end
 * with every message confirmed, accepted by the simulator exactly once, and it reports the
 * throughput and the attempts spent.
 *
 * `npm run soak -- --invoices N --faults RATE` (default 200,000 at 0.1); the default suite runs 100.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedMessages } from '../../src/mig/MessageFactory.js';
import { FAULT_NAMES } from '../../src/sim/index.js';
import { ensureBuilt } from '../helpers/build.js';
import { sleep } from '../helpers/daemonProcess.js';
import { acceptedOnce, PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

const INVOICES = Number(process.env.SOAK_INVOICES ?? 100);
const RATE = Number(process.env.SOAK_FAULTS ?? 0.1);
/** Invoices generated and dropped at a time (the messages of 200,000 would not sit in memory at once). */
const CHUNK = 5_000;
const GATEWAY_TIMEOUT_SECONDS = 5;

describe('fault soak', () => {
  const dir = tempDir('turnkey-soak-');
  let pair: PlatformPair;

  beforeAll(async () => {
    ensureBuilt();
    // Every fault but a result never written, which only an operator can mend (turnkey retry): see the note in README.
    const rates = Object.fromEntries(FAULT_NAMES.filter((name) => name !== 'resultNeverWritten').map((name) => [name, RATE]));
    pair = await PlatformPair.create(dir.path, {
      sim: {
        // Answers after acceptance and delayed results come later than the daemon's gateway timeout.
        faults: {
          seed: 11,
          rates,
          timeoutAfterAcceptMs: (GATEWAY_TIMEOUT_SECONDS + 2) * 1000,
          slowResponseMs: 500,
          resultDelayMs: (GATEWAY_TIMEOUT_SECONDS + 2) * 1000,
          resultRewriteDelayMs: 500,
        },
      },
      // Timeouts as a loaded machine needs them (the test's own 2 s would take a busy simulator's slow answer for a lost one).
      timeoutSeconds: { sftp: 30, gateway: GATEWAY_TIMEOUT_SECONDS },
      outbound: { maxPackMessages: 500 },
      // The daemon reads the platform's announcements, so that a login refused in the window is taken as the window.
      config: (origin) => ({
        logLevel: process.env.SOAK_LOG ? 'info' : 'warn',
        intake: { batchSize: 500, stabilitySeconds: 0.2, rescanIntervalSeconds: 1 },
        maintenance: {
          marginBeforeMinutes: 0,
          marginAfterMinutes: 0,
          resumeJitterSeconds: 1,
          probeSeconds: 1,
          feeds: [{ url: `${origin}/announcements`, format: 'json' }],
        },
      }),
    });
    await pair.startSim();
    await pair.startDaemon();
  }, 120_000);
  afterAll(async () => {
    await pair?.stop();
    dir.cleanup();
  });

  it(
    `confirms ${INVOICES} invoices of every type exactly once with every fault at ${RATE * 100} %`,
    async () => {
      const started = Date.now();
      const all: Array<{ type: string; number: string }> = [];
      let windowAdded = false;
      for (let offset = 0; offset < INVOICES; offset += CHUNK) {
        const messages = mixedMessages({ invoices: Math.min(CHUNK, INVOICES - offset), offset });
        pair.dropMessages(messages);
        all.push(...messages.map(({ type, number }) => ({ type, number })));
        if (!windowAdded && offset + CHUNK >= INVOICES / 2) {
          windowAdded = await maintenanceWindow(pair, 5_000);
        }
      }
      if (!windowAdded) await maintenanceWindow(pair, 5_000);
      const timeoutMs = 180_000 + all.length * 20;
      const states = await pair.waitForFinal(all.length, timeoutMs);
      const seconds = (Date.now() - started) / 1000;
      expect(states).toEqual({ confirmed: all.length });

      const stats = pair.simStats();
      expect(acceptedOnce(stats, all)).toEqual([]);
      const db = new Database(pair.database, { readonly: true });
      const attempts = db
        .prepare('SELECT stage, outcome, count(*) AS n FROM attempts GROUP BY stage, outcome ORDER BY stage, outcome')
        .all() as Array<{ stage: string; outcome: string; n: number }>;
      const packs = db.prepare('SELECT count(*) FROM packs').pluck().get() as number;
      db.close();
      const fired = Object.fromEntries(Object.entries(stats.faults).filter(([, n]) => n > 0));
      const summary = {
        soak: { invoices: INVOICES, messages: all.length, faultRate: RATE },
        seconds: Math.round(seconds * 10) / 10,
        messagesPerSecond: Math.round(all.length / seconds),
        packs,
        attempts: Object.fromEntries(attempts.map((a) => [`${a.stage} ${a.outcome}`, a.n])),
        faultsFired: fired,
      };
      console.log(`fault soak: ${JSON.stringify(summary)}`);
      if (process.env.SOAK_LOG) console.log(pair.daemon!.output.stdout);
      // Every kind of fault fired (at a rate high enough to fire at all in this run).
      if (all.length * RATE >= 200) expect(Object.keys(fired).length).toBeGreaterThanOrEqual(8);
    },
    24 * 3600_000,
  );
});

/** The platform announces a window starting now for `ms`: its gateway answers 503 with the notice, its SFTP refuses logins. */
async function maintenanceWindow(pair: PlatformPair, ms: number): Promise<boolean> {
  const response = await pair.simAdmin('POST', '/_sim/maintenance', {
    start: new Date(Date.now() - 1000).toISOString(),
    end: new Date(Date.now() + ms).toISOString(),
    description: 'soak: maintenance in the middle',
  });
  expect(response.status).toBe(201);
  await sleep(10);
  return true;
}
