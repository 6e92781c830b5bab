import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimStats } from '../../src/sim/record/statsQueries.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemonProcess.js';
import { invoiceNumber } from '../helpers/f0401.js';
import { mixedMessages } from '../../src/mig/MessageFactory.js';
import { acceptedOnce, PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

/** Every invoice accepted by the platform exactly once, and never seen as a duplicate. */
function expectExactlyOnce(stats: SimStats, numbers: string[]): void {
  const byNumber = new Map(stats.invoices.map((i) => [i.number, i]));
  for (const number of numbers) expect(byNumber.get(number), number).toMatchObject({ accepted: 1, duplicate: 0 });
  expect(stats.messages.accepted).toBe(numbers.length);
  expect(stats.messages.duplicate).toBe(0);
}

describe('sending to the platform (daemon and simulator as processes)', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PlatformPair | null = null;

  beforeEach(() => {
    dir = tempDir('turnkey-outbound-');
  });
  afterEach(async () => {
    await pair?.stop();
    pair = null;
    dir.cleanup();
  });

  it('confirms 5,000 dropped invoices, each accepted by the platform exactly once', async () => {
    pair = await PlatformPair.create(dir.path);
    await pair.startSim();
    await pair.startDaemon();
    const numbers = pair.dropInvoices(5000);
    expect(await pair.waitForFinal(5000, 120_000)).toEqual({ confirmed: 5000 });
    expectExactlyOnce(pair.simStats(), numbers);

    const status = await runCli(['status', '--json', '--config', pair.daemonConfigFile]);
    const report = JSON.parse(status.stdout);
    expect(report.counts.byState.confirmed).toBe(5000);
    expect(report.outbound).toMatchObject({ mode: 'remote', breaker: { state: 'closed' }, stuck: [] });
    expect(report.outbound.packsByState.settled).toBeGreaterThanOrEqual(5);
  }, 180_000);

  it('ends an invoice the platform refuses (a rule it applies and we do not) rejected, with its code', async () => {
    // The simulator is told to refuse one number that our validator accepts.
    pair = await PlatformPair.create(dir.path, { sim: { validation: { rejectInvoiceNumbers: [invoiceNumber(3)] } } });
    await pair.startSim();
    await pair.startDaemon();
    pair.dropInvoices(5);
    expect(await pair.waitForFinal(5, 30_000)).toEqual({ confirmed: 4, rejected: 1 });
    const store = new Database(pair.database, { readonly: true });
    const row = store
      .prepare('SELECT state, error_code AS code, error_text AS text FROM messages WHERE invoice_number = ?')
      .get(invoiceNumber(3));
    store.close();
    expect(row).toMatchObject({ state: 'rejected', code: 'E9102' });
    // The ERP's DownCast files (one per batch of final messages) tell all five verdicts, the refusal with its code.
    // They are written on the sending loop's next turn after the verdicts.
    const folder = join(dir.path, 'DownCast/B2SSTORAGE/F0401');
    type Told = { number: string; verdict: string; status: string; code: string | null };
    const told = (): Told[] =>
      existsSync(folder)
        ? readdirSync(folder, { recursive: true })
            .map(String)
            .filter((n) => n.endsWith('.json'))
            .flatMap((n) => (JSON.parse(readFileSync(join(folder, n), 'utf8')) as { results: Told[] }).results)
        : [];
    const results = await waitFor(() => (told().length >= 5 ? told() : null), 'the DownCast results of all five invoices', 10_000);
    expect(results).toHaveLength(5);
    expect(results.find((r) => r.number === invoiceNumber(3))).toMatchObject({ verdict: 'rejected', status: 'E', code: 'E9102' });
    expect(results.filter((r) => r.verdict === 'confirmed' && r.status === 'C')).toHaveLength(4);
  }, 60_000);

  const FAULTS: Array<[string, Record<string, unknown>, Record<string, unknown>?]> = [
    ['upload cut mid-file', { rates: { sftpUploadCut: 0.5 }, maxFires: { sftpUploadCut: 6 } }],
    ['SFTP connection refused', { rates: { sftpConnectRefused: 0.5 }, maxFires: { sftpConnectRefused: 6 } }],
    ['gateway 503', { rates: { gateway503: 0.5 }, maxFires: { gateway503: 6 } }],
    ['gateway 500 and 502', { rates: { gateway500: 0.3, gateway502: 0.3 }, maxFires: { gateway500: 3, gateway502: 3 } }],
    ['gateway connection reset', { rates: { gatewayReset: 0.5 }, maxFires: { gatewayReset: 6 } }],
    [
      'gateway timeout after accepting',
      { rates: { gatewayTimeoutAfterAccept: 0.5 }, maxFires: { gatewayTimeoutAfterAccept: 4 }, timeoutAfterAcceptMs: 4000 },
    ],
    ['result written twice', { rates: { resultWrittenTwice: 1 }, resultRewriteDelayMs: 300 }],
    ['results delayed', { rates: { resultDelayed: 1 }, resultDelayMs: 1500 }],
  ];

  it.each(FAULTS)(
    'still confirms every message of a mix of all types exactly once with the fault "%s" switched on',
    async (_name, faults) => {
      pair = await PlatformPair.create(dir.path, { sim: { faults: { seed: 7, ...faults } }, outbound: { maxPackMessages: 50 } });
      await pair.startSim();
      await pair.startDaemon();
      const messages = mixedMessages({ invoices: 180 });
      pair.dropMessages(messages);
      expect(await pair.waitForFinal(messages.length, 90_000)).toEqual({ confirmed: messages.length });
      const stats = pair.simStats();
      expect(acceptedOnce(stats, messages)).toEqual([]);
      expect(stats.messages.duplicate).toBe(0);
      expect(
        Object.values(stats.faults).reduce((a, b) => a + b, 0),
        'the fault fired',
      ).toBeGreaterThan(0);
    },
    120_000,
  );
});
