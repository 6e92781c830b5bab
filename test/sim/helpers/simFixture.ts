import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SELLER_ID } from '../../../src/mig/F0401Factory.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../../src/sim/index.js';
import type { TestAccount } from './gateway.js';
import { makeIdentity, type TestIdentity } from './identity.js';
import { buildPack, routingFor, type BuiltPack } from './packs.js';

/** The merchant every simulator test sends for: the factory's seller, so its invoices' seller is the sender. */
export const ACCOUNT: TestAccount = {
  transportId: 'TKTEST01',
  password: 'test-only-transport-password',
  partyId: DEFAULT_SELLER_ID,
  routingId: DEFAULT_SELLER_ID,
};

export function makeTempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `turnkey-sim-${label}-`));
}

export interface SimFixture {
  sim: RunningSimulator;
  dataDir: string;
  identity: TestIdentity;
  account: TestAccount;
  /** A signed pack from this merchant. */
  pack: (messages: string[], options?: Partial<Parameters<typeof buildPack>[0]>) => BuiltPack;
  /** Stops the simulator and deletes its folder. */
  close: () => Promise<void>;
}

/**
 * A simulator in a fresh folder with one account whose certificate is registered. Processing
 * runs in the main thread unless the test asks for workers (workers cost start-up time).
 */
export async function startFixture(options: Partial<SimulatorOptions> = {}, identity: TestIdentity = makeIdentity()): Promise<SimFixture> {
  const dataDir = options.dataDir ?? makeTempDir('data');
  const sim = await startSimulator({
    processingWorkers: 0,
    accounts: [{ ...ACCOUNT, certificates: [identity.certificatePem] }],
    ...options,
    dataDir,
  });
  return {
    sim,
    dataDir,
    identity,
    account: ACCOUNT,
    pack: (messages, more = {}) => buildPack({ messages, identity, routing: routingFor(ACCOUNT.partyId, ACCOUNT.routingId), ...more }),
    close: async () => {
      await sim.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the next `results` event for this pack (first copy). */
export function resultsWritten(sim: RunningSimulator, filename: string, copy: 1 | 2 = 1, timeoutMs = 15_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sim.events.off('results', listener);
      reject(new Error(`no results for ${filename} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event: { filename: string; names: string[]; copy: 1 | 2 }) => {
      if (event.filename !== filename || event.copy !== copy) return;
      clearTimeout(timer);
      sim.events.off('results', listener);
      resolve(event.names);
    };
    sim.events.on('results', listener);
  });
}

/** SFTP settings that log in to a fixture's simulator as its account, trusting its host key. */
export function simSftpSettings(fixture: SimFixture) {
  return {
    host: '127.0.0.1',
    port: fixture.sim.sftp.port,
    username: ACCOUNT.transportId,
    password: ACCOUNT.password,
    knownHosts: fixture.sim.hostKey.publicKeyLine,
    timeoutMs: 10_000,
  };
}
