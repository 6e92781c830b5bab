import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { f0401Xml, invoiceNumber } from '../../src/mig/F0401Factory.js';
import { startSimulator } from '../../src/sim/index.js';
import { notificationFor, notify } from './helpers/gateway.js';
import { makeIdentity } from './helpers/identity.js';
import { buildPack, routingFor } from './helpers/packs.js';
import { readSummaryResult } from './helpers/results.js';
import { SftpTestClient } from './helpers/sftpClient.js';
import { ACCOUNT, makeTempDir, resultsWritten } from './helpers/simFixture.js';

const dataDir = makeTempDir('restart');
const identity = makeIdentity();
const options = { dataDir, accounts: [{ ...ACCOUNT, certificates: [identity.certificatePem] }], processingWorkers: 1 };
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('across restarts, in worker threads', () => {
  it('processes after a restart a pack accepted but not processed before the stop, once', async () => {
    const invoices = [invoiceNumber(1, 'RS'), invoiceNumber(2, 'RS')];
    const pack = buildPack({ messages: invoices.map((number) => f0401Xml({ number })), identity, routing: routingFor(ACCOUNT.partyId) });

    const first = await startSimulator({ ...options, processingDelayMs: 60_000 });
    const client = await SftpTestClient.connect(first, ACCOUNT.transportId, ACCOUNT.password);
    await client.upload(`in/${pack.commonName}`, pack.file);
    expect((await notify(first, notificationFor(pack, ACCOUNT))).json.statusCode).toBe(0);
    client.end();
    expect(first.stats().packs).toMatchObject({ total: 1, queued: 1, processed: 0 });
    await first.stop();

    const second = await startSimulator({ ...options, processingDelayMs: 0 });
    try {
      const written = resultsWritten(second, pack.commonName);
      await written;
      const reader = await SftpTestClient.connect(second, ACCOUNT.transportId, ACCOUNT.password);
      const summary = readSummaryResult(await reader.read(`out/${pack.commonName}-SummaryResult`));
      reader.end();
      expect(summary.good).toEqual({ count: 2, numbers: invoices });
      // The retry of the notification the client never saw answered finds the pack already accepted.
      expect((await notify(second, notificationFor(pack, ACCOUNT, { retry: 1 }))).json.statusDetail[0]!.code).toBe('already-accepted');
      expect(second.stats().packs).toMatchObject({ total: 1, queued: 0, processed: 1, resultsWritten: 1 });
      for (const number of invoices) expect(second.stats({ invoice: number }).invoices[0]).toMatchObject({ accepted: 1, duplicate: 0 });
    } finally {
      await second.stop();
    }
  });

  it('decides packs in the order they were accepted, whichever worker finishes first', async () => {
    const sim = await startSimulator({ ...options, processingWorkers: 2 });
    try {
      const client = await SftpTestClient.connect(sim, ACCOUNT.transportId, ACCOUNT.password);
      const number = invoiceNumber(3, 'RS');
      // A big pack first, then a small one repeating its last invoice: the small one must see it as a duplicate.
      const big = buildPack({
        messages: [...Array.from({ length: 199 }, (_, i) => f0401Xml({ number: invoiceNumber(100 + i, 'RS') })), f0401Xml({ number })],
        identity,
        routing: routingFor(ACCOUNT.partyId),
      });
      const small = buildPack({ messages: [f0401Xml({ number })], identity, routing: routingFor(ACCOUNT.partyId) });
      await client.upload(`in/${big.commonName}`, big.file);
      await client.upload(`in/${small.commonName}`, small.file);
      const order: Array<{ filename: string; good: number; failed: number }> = [];
      sim.events.on('processed', (e) => order.push({ filename: e.filename, good: e.good, failed: e.failed }));
      await notify(sim, notificationFor(big, ACCOUNT));
      await notify(sim, notificationFor(small, ACCOUNT));
      await sim.idle();
      client.end();
      expect(order).toEqual([
        { filename: big.commonName, good: 200, failed: 0 },
        { filename: small.commonName, good: 0, failed: 1 },
      ]);
      expect(sim.stats({ invoice: number }).invoices[0]).toMatchObject({ accepted: 1, duplicate: 1 });
    } finally {
      await sim.stop();
    }
  });
});
