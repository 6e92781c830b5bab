import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSimConfig, resolveSimulatorOptions } from '../../src/sim/index.js';
import { makeIdentity } from './helpers/identity.js';
import { makeTempDir } from './helpers/simFixture.js';

const dir = makeTempDir('config');
const identity = makeIdentity();
mkdirSync(join(dir, 'certs'));
writeFileSync(join(dir, 'certs', 'merchant.cer'), identity.certificatePem);
writeFileSync(join(dir, 'certs', 'merchant-der.cer'), identity.certificateDer);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, config: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

const ACCOUNT = {
  transportId: 'CFG01',
  password: 'config-test-password',
  partyId: '24634102',
  routingId: '24634102',
  certificates: ['certs/merchant.cer'],
};

describe('the simulator configuration file', () => {
  it('applies the defaults and resolves paths against the file', () => {
    const options = loadSimConfig(write('minimal.json', { accounts: [ACCOUNT] }));
    expect(options.dataDir).toBe(join(dir, 'sim-data'));
    expect(options.sftp).toEqual({ port: 0 });
    expect(options.gateway).toEqual({ port: 0, basePath: '/gateway/api', actions: { F0401: 'C0401' } });
    expect(options.processingDelayMs).toBe(0);
    expect(options.processingWorkers).toBeUndefined();
    expect(options.validation).toEqual({
      b2cTaxIncluded: 'warn',
      clockSkewSeconds: 300,
      rejectInvoiceNumbers: [],
      requireSellerIsSender: false,
      requireAllocatedNumbers: false,
    });
    expect(options.faults).toEqual({
      seed: 1,
      rates: {},
      maxFires: {},
      slowResponseMs: 2000,
      timeoutAfterAcceptMs: null,
      resultDelayMs: 5000,
      resultRewriteDelayMs: 500,
    });
    expect(options.e0501).toEqual({ scheduleIntervalMs: null });
    expect(options.accounts![0]!.certificates[0]).toBe(identity.certificatePem);
    const resolved = resolveSimulatorOptions(options);
    expect(resolved.accounts[0]!.transportId).toBe('CFG01');
  });

  it('reads DER certificates and takes the password from the environment with passwordEnv', () => {
    const { password: _, ...withoutPassword } = ACCOUNT;
    const file = write('env.json', {
      dataDir: 'elsewhere',
      accounts: [{ ...withoutPassword, passwordEnv: 'SIM_TEST_PASSWORD', certificates: ['certs/merchant-der.cer'] }],
    });
    const options = loadSimConfig(file, { SIM_TEST_PASSWORD: 'from-the-environment' });
    expect(options.dataDir).toBe(join(dir, 'elsewhere'));
    expect(options.accounts![0]!.password).toBe('from-the-environment');
    expect(Buffer.isBuffer(options.accounts![0]!.certificates[0])).toBe(true);
    expect(() => loadSimConfig(file, {})).toThrow(/SIM_TEST_PASSWORD is not set/);
  });

  it('names every unknown key, at any depth', () => {
    const file = write('unknown.json', {
      dataDirectory: 'x',
      sftp: { prot: 2222 },
      faults: { rates: { gateway504: 1 } },
      accounts: [{ ...ACCOUNT, pasword: 'x' }],
    });
    let message = '';
    try {
      loadSimConfig(file);
    } catch (error) {
      message = (error as Error).message;
      expect((error as { code: string }).code).toBe('config');
    }
    expect(message).toContain('dataDirectory: unknown key');
    expect(message).toContain('sftp.prot: unknown key');
    expect(message).toContain('faults.rates.gateway504: unknown key');
    expect(message).toContain('accounts[0].pasword: unknown key');
    expect(message).not.toContain(ACCOUNT.password);
  });

  it('refuses wrong values, naming the key', () => {
    expect(() => loadSimConfig(write('bad-port.json', { sftp: { port: 70000 } }))).toThrow(/sftp\.port: must be <= 65535/);
    expect(() => loadSimConfig(write('bad-rate.json', { faults: { rates: { gateway500: 2 } } }))).toThrow(
      /faults\.rates\.gateway500: must be <= 1/,
    );
    expect(() =>
      loadSimConfig(write('bad-window.json', { maintenance: [{ start: '2025-12-19 18:00', end: '2025-12-20T12:00:00+08:00' }] })),
    ).toThrow(/maintenance\[0\]\.start/);
    expect(() => loadSimConfig(write('bad-policy.json', { validation: { b2cTaxIncluded: 'maybe' } }))).toThrow(
      /validation\.b2cTaxIncluded: must be one of "accept", "warn", "reject"/,
    );
    expect(() => loadSimConfig(write('both-passwords.json', { accounts: [{ ...ACCOUNT, passwordEnv: 'X' }] }))).toThrow(
      /exactly one of password and passwordEnv/,
    );
    expect(() => loadSimConfig(write('missing-cert.json', { accounts: [{ ...ACCOUNT, certificates: ['certs/none.cer'] }] }))).toThrow(
      /certificates\[0\]: cannot read/,
    );
    expect(() => loadSimConfig(write('not-json.json', '{ "dataDir": '))).toThrow(/not valid JSON/);
  });

  it('refuses programmatic options that cannot work', () => {
    expect(() => resolveSimulatorOptions({ dataDir: dir, gateway: { basePath: 'gateway/api/' } })).toThrow(/gateway\.basePath/);
    expect(() =>
      resolveSimulatorOptions({ dataDir: dir, accounts: [{ ...ACCOUNT, transportId: '../x', certificates: [identity.certificatePem] }] }),
    ).toThrow(/transportId/);
    expect(() => resolveSimulatorOptions({ dataDir: dir, validation: { rejectInvoiceNumbers: 'AB12345678' as never } })).toThrow(
      /rejectInvoiceNumbers/,
    );
  });
});
