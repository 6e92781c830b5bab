import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseEnvelope } from '../../src/protocol/envelope/index.js';
import { classifyOutboxName, parseCommonName } from '../../src/protocol/names.js';
import { startSimulator } from '../../src/sim/index.js';
import { sendJson } from './helpers/gateway.js';
import { makeIdentity } from './helpers/identity.js';
import { resultValidator } from './helpers/results.js';
import { SftpTestClient } from './helpers/sftpClient.js';
import { ACCOUNT, makeTempDir, startFixture, type SimFixture } from './helpers/simFixture.js';

const ALLOCATIONS = [
  { partyId: ACCOUNT.partyId, period: '11512', track: 'AB', begin: '10000000', end: '10000499' },
  { partyId: ACCOUNT.partyId, period: '11512', track: 'AC', begin: '20000050', end: '20000149', invoiceType: '08' as const },
  { partyId: ACCOUNT.partyId, period: '11602', track: 'CD', begin: '00000000', end: '00000049', availableAt: '2099-01-01T00:00:00+08:00' },
];

let fx: SimFixture;
let client: SftpTestClient;

beforeAll(async () => {
  fx = await startFixture({ allocations: ALLOCATIONS });
  client = await SftpTestClient.connect(fx.sim, ACCOUNT.transportId, ACCOUNT.password);
});
afterAll(async () => {
  client?.end();
  await fx?.close();
});

describe('E0501 allocations', () => {
  it('puts an E0501 for a period into out/ on request: an envelope of InvoiceAssignNo messages that pass E0501.xsd', async () => {
    const [delivery] = await fx.sim.requestE0501('11512');
    expect(delivery).toMatchObject({ account: ACCOUNT.transportId, partyId: ACCOUNT.partyId, period: '11512', allocations: 2 });
    const name = delivery!.fileName;
    expect(name).toMatch(/-E0501$/);
    expect(classifyOutboxName(name)).toBe('E0501');
    expect(parseCommonName(name.slice(0, -'-E0501'.length)).messageType).toBe('E0501');

    const bytes = await client.read(`out/${name}`);
    const validator = await resultValidator();
    const envelopeReport = validator.validate(bytes);
    expect(envelopeReport.errors).toEqual([]);
    expect(envelopeReport.messageType).toBe('InvoiceEnvelope');

    const envelope = parseEnvelope(bytes);
    expect(envelope).toMatchObject({ messageType: 'E0501', count: 2 });
    expect(envelope.routing.from.id).toBe('0000000000');
    expect(envelope.routing.to.id).toBe(ACCOUNT.partyId);
    for (const message of envelope.messages) {
      const report = validator.validate(Buffer.from(message));
      expect(report.errors).toEqual([]);
      expect(report.messageType).toBe('E0501');
    }
    expect(envelope.messages[0]).toContain('<InvoiceTrack>AB</InvoiceTrack>');
    expect(envelope.messages[0]).toContain('<InvoiceBooklet>10</InvoiceBooklet>');
    expect(envelope.messages[1]).toContain('<InvoiceBeginNo>20000050</InvoiceBeginNo>');
    expect(envelope.messages[1]).toContain('<InvoiceType>08</InvoiceType>');
    expect(envelope.messages[1]).toContain('<InvoiceBooklet>2</InvoiceBooklet>');
  });

  it('takes requests through the admin endpoint, and answers 404 for a period with no allocation', async () => {
    const made = await sendJson<{ deliveries: Array<{ fileName: string }> }>(fx.sim, 'POST', '/_sim/e0501', {
      period: '11512',
      partyId: ACCOUNT.partyId,
    });
    expect(made.status).toBe(201);
    expect(await client.names('out')).toContain(made.body.deliveries[0]!.fileName);
    const none = await sendJson<{ error: { code: string } }>(fx.sim, 'POST', '/_sim/e0501', { period: '11410' });
    expect(none).toEqual({ status: 404, body: { error: { code: 'sim-no-allocation', message: expect.any(String) } } });
    await expect(fx.sim.requestE0501('11410')).rejects.toMatchObject({ code: 'sim-no-allocation' });
  });

  it('delivers each merchant and period once on its schedule, only when available', async () => {
    const dataDir = makeTempDir('e0501');
    const identity = makeIdentity();
    const options = {
      dataDir,
      processingWorkers: 0,
      accounts: [{ ...ACCOUNT, certificates: [identity.certificatePem] }],
      allocations: ALLOCATIONS,
      e0501: { scheduleIntervalMs: 100 },
    };
    let sim = await startSimulator(options);
    try {
      const running = sim;
      await vi.waitFor(() => expect(running.stats().e0501.delivered).toBeGreaterThan(0), { timeout: 5_000, interval: 20 });
      await new Promise((r) => setTimeout(r, 350)); // three more passes of the schedule
      expect(sim.stats().e0501.delivered).toBe(1); // 11512 only: 11602 is not available before 2099
      await sim.stop();
      sim = await startSimulator(options);
      await new Promise((r) => setTimeout(r, 250));
      expect(sim.stats().e0501.delivered).toBe(1); // recorded: not delivered again after a restart
    } finally {
      await sim.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses allocations that are not whole booklets, or that overlap', async () => {
    const dataDir = makeTempDir('e0501-bad');
    await expect(
      startSimulator({
        dataDir,
        allocations: [{ partyId: ACCOUNT.partyId, period: '11512', track: 'AB', begin: '10000000', end: '10000048' }],
      }),
    ).rejects.toThrow(/whole booklets/);
    await expect(
      startSimulator({
        dataDir,
        allocations: [
          { partyId: ACCOUNT.partyId, period: '11512', track: 'AB', begin: '10000000', end: '10000099' },
          { partyId: '12345675', period: '11512', track: 'AB', begin: '10000050', end: '10000149' },
        ],
      }),
    ).rejects.toThrow(/overlap/);
    await expect(
      startSimulator({
        dataDir,
        allocations: [{ partyId: ACCOUNT.partyId, period: '11511', track: 'AB', begin: '10000000', end: '10000049' }],
      }),
    ).rejects.toThrow(/even end month/);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
