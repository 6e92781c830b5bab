import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f0401Xml, invoiceNumber } from '../../src/mig/F0401Factory.js';
import { FAULT_NAMES, FaultPlan, type FaultName } from '../../src/sim/index.js';
import { getJson, notificationFor, notify, sendJson } from './helpers/gateway.js';
import type { BuiltPack } from './helpers/packs.js';
import { connectSsh, SftpTestClient } from './helpers/sftpClient.js';
import { ACCOUNT, resultsWritten, startFixture, type SimFixture } from './helpers/simFixture.js';

describe('fault plan', () => {
  const sequence = (plan: FaultPlan, fault: FaultName, n: number) => Array.from({ length: n }, () => plan.draw(fault));

  it('gives the same sequence for the same seed, and another for another seed', () => {
    const a = sequence(new FaultPlan({ seed: 42, rates: { gateway503: 0.5 } }), 'gateway503', 64);
    const b = sequence(new FaultPlan({ seed: 42, rates: { gateway503: 0.5 } }), 'gateway503', 64);
    const c = sequence(new FaultPlan({ seed: 43, rates: { gateway503: 0.5 } }), 'gateway503', 64);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const fired = a.filter(Boolean).length;
    expect(fired).toBeGreaterThan(16);
    expect(fired).toBeLessThan(48);
  });

  it("keeps each fault on its own stream: one fault's sequence does not move when another's rate changes", () => {
    const alone = new FaultPlan({ seed: 'x', rates: { gateway502: 0.3 } });
    const withOther = new FaultPlan({ seed: 'x', rates: { gateway502: 0.3, gateway500: 0.9 } });
    const a = Array.from({ length: 40 }, () => alone.pick(['gateway500', 'gateway502']));
    const b = Array.from({ length: 40 }, () => withOther.pick(['gateway500', 'gateway502']));
    // Where gateway500 did not take the turn, gateway502 fires exactly as it does alone.
    b.forEach((fault, i) => {
      if (fault !== 'gateway500') expect(fault).toBe(a[i]);
    });
    expect(b).toContain('gateway500');
  });

  it('fires never at rate 0, always at rate 1, and at most maxFires times', () => {
    expect(sequence(new FaultPlan({ seed: 1 }), 'resultDelayed', 50)).not.toContain(true);
    expect(sequence(new FaultPlan({ seed: 1, rates: { resultDelayed: 1 } }), 'resultDelayed', 50)).not.toContain(false);
    const limited = sequence(new FaultPlan({ seed: 1, rates: { resultDelayed: 1 }, maxFires: { resultDelayed: 2 } }), 'resultDelayed', 10);
    expect(limited).toEqual([true, true, false, false, false, false, false, false, false, false]);
  });

  it('refuses unknown fault names and rates outside 0..1', () => {
    expect(() => new FaultPlan({ rates: { gateway504: 1 } as never })).toThrow(/unknown fault/);
    expect(() => new FaultPlan({ rates: { gateway500: 1.5 } })).toThrow(/from 0 to 1/);
    expect(FAULT_NAMES).toHaveLength(11);
  });
});

describe('faults, as real clients see them', () => {
  let fx: SimFixture;
  let client: SftpTestClient;
  let next = 1;

  beforeAll(async () => {
    fx = await startFixture({ faults: { seed: 7, slowResponseMs: 600, resultDelayMs: 600, resultRewriteDelayMs: 2000 } });
    client = await SftpTestClient.connect(fx.sim, ACCOUNT.transportId, ACCOUNT.password);
  });
  afterAll(async () => {
    client?.end();
    await fx?.close();
  });

  async function uploaded(): Promise<BuiltPack> {
    const pack = fx.pack([f0401Xml({ number: invoiceNumber(next++, 'FT') })]);
    await client.upload(`in/${pack.commonName}`, pack.file);
    return pack;
  }

  /** Runs with one fault always firing, then turns every fault off. */
  async function withFault(fault: FaultName, run: () => Promise<void>): Promise<void> {
    fx.sim.setFaults({ rates: { [fault]: 1 } });
    try {
      await run();
    } finally {
      fx.sim.setFaults({ rates: {} });
    }
  }

  it('sftpConnectRefused drops the connection before the SSH handshake', async () => {
    await withFault('sftpConnectRefused', async () => {
      await expect(connectSsh(fx.sim, ACCOUNT.transportId, ACCOUNT.password, { readyTimeout: 3000 })).rejects.toThrow();
    });
    (await connectSsh(fx.sim, ACCOUNT.transportId, ACCOUNT.password)).end();
  });

  it('sftpUploadCut cuts an upload mid-file and never publishes it', async () => {
    const other = await SftpTestClient.connect(fx.sim, ACCOUNT.transportId, ACCOUNT.password);
    const pack = fx.pack([f0401Xml({ number: invoiceNumber(next++, 'FT') })]);
    const before = fx.sim.stats().files.received;
    await withFault('sftpUploadCut', async () => {
      await expect(other.upload(`in/${pack.commonName}`, pack.file)).rejects.toThrow();
    });
    other.end();
    expect(fx.sim.stats().files.received).toBe(before);
    const reply = await notify(fx.sim, notificationFor(pack, fx.account));
    expect(reply.json.statusDetail[0]!.code).toBe('file-not-found');
  });

  it.each([
    ['gateway500', 500],
    ['gateway502', 502],
    ['gateway503', 503],
  ] as const)('%s answers HTTP %i and queues nothing', async (fault, status) => {
    const pack = await uploaded();
    await withFault(fault, async () => {
      const reply = await notify(fx.sim, notificationFor(pack, fx.account));
      expect(reply.status).toBe(status);
      expect(reply.json.statusDetail).toEqual([]);
    });
    // Nothing was queued: the file is still there and the next notification is the first.
    const after = await notify(fx.sim, notificationFor(pack, fx.account));
    expect(after.json.statusDetail[0]!.code).toBe('accepted');
  });

  it('gatewayReset resets the connection with no answer and queues nothing', async () => {
    const pack = await uploaded();
    await withFault('gatewayReset', async () => {
      await expect(notify(fx.sim, notificationFor(pack, fx.account))).rejects.toThrow(/socket|closed|reset/i);
    });
    expect((await notify(fx.sim, notificationFor(pack, fx.account))).json.statusDetail[0]!.code).toBe('accepted');
  });

  it('gatewayTimeoutAfterAccept processes the pack but never answers; a retry is then answered as already accepted', async () => {
    const pack = await uploaded();
    const written = resultsWritten(fx.sim, pack.commonName);
    await withFault('gatewayTimeoutAfterAccept', async () => {
      await expect(notify(fx.sim, notificationFor(pack, fx.account), { timeoutMs: 500 })).rejects.toThrow(/timeout/i);
    });
    await written;
    expect(await client.names('out')).toContain(`${pack.commonName}-SummaryResult`);
    const retry = await notify(fx.sim, notificationFor(pack, fx.account, { retry: 1 }));
    expect(retry.json).toMatchObject({ statusCode: 0, statusDetail: [{ code: 'already-accepted' }] });
  });

  it('gatewaySlowResponse answers normally, but only after slowResponseMs', async () => {
    const pack = await uploaded();
    await withFault('gatewaySlowResponse', async () => {
      const started = Date.now();
      const reply = await notify(fx.sim, notificationFor(pack, fx.account));
      expect(Date.now() - started).toBeGreaterThanOrEqual(590);
      expect(reply.json.statusCode).toBe(0);
    });
  });

  it('resultDelayed writes the results resultDelayMs after processing', async () => {
    const pack = await uploaded();
    await withFault('resultDelayed', async () => {
      const processed = new Promise<number>((resolve) => fx.sim.events.once('processed', () => resolve(Date.now())));
      const written = resultsWritten(fx.sim, pack.commonName).then(() => Date.now());
      await notify(fx.sim, notificationFor(pack, fx.account));
      expect((await written) - (await processed)).toBeGreaterThanOrEqual(590);
    });
  });

  it('resultNeverWritten records the decisions but writes no result file', async () => {
    const pack = await uploaded();
    await withFault('resultNeverWritten', async () => {
      const processed = new Promise((resolve) => fx.sim.events.once('processed', resolve));
      await notify(fx.sim, notificationFor(pack, fx.account));
      await processed;
      await fx.sim.idle();
    });
    expect((await client.names('out')).filter((n) => n.startsWith(pack.commonName))).toEqual([]);
    const number = pack.envelope.toString().match(/FT\d{8}/)![0];
    expect(fx.sim.stats({ invoice: number }).invoices[0]).toMatchObject({ accepted: 1 });
    expect(fx.sim.stats().packs.resultsSuppressed).toBe(1);
  });

  // The second copy comes resultRewriteDelayMs (2 s here) after the first: time enough, even on a
  // loaded machine, to take the first one before it is written again.
  it('resultWrittenTwice writes each result file again, byte for byte, after the first was taken', async () => {
    const pack = await uploaded();
    const summary = `out/${pack.commonName}-SummaryResult`;
    await withFault('resultWrittenTwice', async () => {
      const first = resultsWritten(fx.sim, pack.commonName, 1);
      const second = resultsWritten(fx.sim, pack.commonName, 2);
      await notify(fx.sim, notificationFor(pack, fx.account));
      await first;
      const bytes = await client.read(summary);
      await client.remove(summary);
      expect(await client.names('out')).not.toContain(`${pack.commonName}-SummaryResult`);
      await second;
      expect((await client.read(summary)).equals(bytes)).toBe(true);
    });
  });

  it('replays the same faults for the same seed through the real gateway', async () => {
    const pack = fx.pack([f0401Xml({ number: invoiceNumber(next++, 'FT') })]); // never uploaded: every answer is a refusal or a fault
    const run = async () => {
      fx.sim.setFaults({ seed: 'replay-me', rates: { gateway503: 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await notify(fx.sim, notificationFor(pack, fx.account))).status);
      return statuses;
    };
    const first = await run();
    const second = await run();
    fx.sim.setFaults({ rates: {} });
    expect(second).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });

  it('can be changed at run time through /_sim/faults, and counts what fired', async () => {
    const set = await sendJson<{ settings: { rates: Record<string, number>; seed: number } }>(fx.sim, 'PUT', '/_sim/faults', {
      seed: 99,
      rates: { gateway502: 1 },
      maxFires: { gateway502: 1 },
    });
    expect(set.status).toBe(200);
    expect(set.body.settings).toMatchObject({ seed: 99, rates: { gateway502: 1 } });
    const pack = await uploaded();
    expect((await notify(fx.sim, notificationFor(pack, fx.account))).status).toBe(502);
    expect((await notify(fx.sim, notificationFor(pack, fx.account))).json.statusCode).toBe(0);
    const { body } = await getJson<{ fired: Record<string, number> }>(fx.sim, '/_sim/faults');
    expect(body.fired.gateway502).toBeGreaterThanOrEqual(2);
    const bad = await sendJson<{ error: { code: string } }>(fx.sim, 'PUT', '/_sim/faults', { rates: { nonsense: 1 } });
    expect(bad.status).toBe(400);
    fx.sim.setFaults({ rates: {}, maxFires: {} });
    expect(fx.sim.stats().faults.gateway502).toBeGreaterThanOrEqual(2);
  });
});
