import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { f0401Xml, f0401XmlWithWrongTotal, invoiceNumber } from '../../src/mig/F0401Factory.js';
import type { RunningSimulator } from '../../src/sim/index.js';
import { runCli, TURNKEY_BIN } from '../helpers/cli.js';
import { getJson, notificationFor, notify } from '../sim/helpers/gateway.js';
import { makeIdentity } from '../sim/helpers/identity.js';
import { buildPack, routingFor } from '../sim/helpers/packs.js';
import { SftpTestClient } from '../sim/helpers/sftpClient.js';
import { ACCOUNT, makeTempDir } from '../sim/helpers/simFixture.js';

const dir = makeTempDir('cli');
const identity = makeIdentity();
mkdirSync(join(dir, 'certs'));
writeFileSync(join(dir, 'certs', 'merchant.cer'), identity.certificatePem);
const configFile = join(dir, 'sim.config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    dataDir: 'data',
    accounts: [{ ...ACCOUNT, certificates: ['certs/merchant.cer'] }],
    processingWorkers: 1,
    maintenance: [{ start: '2025-12-19T18:00:00+08:00', end: '2025-12-20T12:00:00+08:00', description: 'yearly upgrade' }],
  }),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Started = Pick<RunningSimulator, 'sftp' | 'gateway' | 'hostKey'> & { dataDir: string; databaseFile: string };

/** Spawns `turnkey sim --json` and resolves with the line it prints once listening. */
function spawnSim(args: string[]): Promise<{ child: ChildProcess; started: Started; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TURNKEY_BIN, 'sim', '--json', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve({ child, started: JSON.parse(stdout.slice(0, newline)) as Started, stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`turnkey sim exited (${code}) before listening: ${stderr}`)));
    setTimeout(() => reject(new Error(`turnkey sim did not start: ${stderr}`)), 20_000).unref();
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('turnkey sim (spawned)', () => {
  const good = invoiceNumber(1, 'CL');
  const bad = invoiceNumber(2, 'CL');

  it('runs in the foreground, prints where it listens, serves SFTP and the gateway, and stops cleanly on SIGTERM', async () => {
    const { child, started, stderr } = await spawnSim(['--config', configFile]);
    const stopped = exitCode(child);
    try {
      expect(started.sftp).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
      expect(started.gateway.url).toBe(`http://127.0.0.1:${started.gateway.port}/gateway/api`);
      expect(started.hostKey.publicKeyLine).toBe(`[127.0.0.1]:${started.sftp.port} ${started.hostKey.publicKey}`);
      expect(started.dataDir).toBe(join(dir, 'data'));
      const sim = started as unknown as RunningSimulator;

      const client = await SftpTestClient.connect(sim, ACCOUNT.transportId, ACCOUNT.password);
      const pack = buildPack({
        messages: [f0401Xml({ number: good }), f0401XmlWithWrongTotal({ number: bad })],
        identity,
        routing: routingFor(ACCOUNT.partyId),
      });
      await client.upload(`in/${pack.commonName}`, pack.file);
      expect((await notify(sim, notificationFor(pack, ACCOUNT))).json.statusCode).toBe(0);
      // Send the same pack again under a new name: the good invoice becomes a duplicate.
      const again = buildPack({ messages: [f0401Xml({ number: good })], identity, routing: routingFor(ACCOUNT.partyId) });
      await client.upload(`in/${again.commonName}`, again.file);
      expect((await notify(sim, notificationFor(again, ACCOUNT))).json.statusCode).toBe(0);
      for (let i = 0; i < 100; i++) {
        const { body } = await getJson<{ packs: { processed: number } }>(sim, '/stats');
        if (body.packs.processed === 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await client.names('out')).filter((n) => n.endsWith('SummaryResult'))).toHaveLength(2);
      client.end();
      expect((await getJson<unknown[]>(sim, '/announcements')).body).toHaveLength(1);
      expect(stderr()).not.toContain(ACCOUNT.password);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await stopped).toBe(0);
  });

  it('prints the banner with the host key line and the gateway URL', async () => {
    const child = spawn(process.execPath, [TURNKEY_BIN, 'sim', '--config', configFile, '--log-level', 'silent'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve) =>
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('Ctrl+C')) resolve();
      }),
    );
    const stopped = exitCode(child);
    child.kill('SIGINT');
    expect(await stopped).toBe(0);
    expect(out).toMatch(/known_hosts: +\[127\.0\.0\.1\]:\d+ ssh-ed25519 AAAA/);
    expect(out).toMatch(/gateway: +http:\/\/127\.0\.0\.1:\d+\/gateway\/api/);
    expect(out).toContain('simulator stopped');
  });

  it("`turnkey sim stats` reads the counts per invoice from the sim's database", async () => {
    const json = await runCli(['sim', 'stats', '--config', configFile, '--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const stats = JSON.parse(json.stdout) as { messages: Record<string, number>; invoices: unknown[] };
    expect(stats.messages).toEqual({ accepted: 1, rejected: 1, duplicate: 1 });
    expect(stats.invoices).toEqual([
      { messageType: 'F0401', number: good, accepted: 1, rejected: 0, duplicate: 1 },
      { messageType: 'F0401', number: bad, accepted: 0, rejected: 1, duplicate: 0 },
    ]);

    const one = await runCli(['sim', 'stats', '--config', configFile, '--invoice', good]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`${good}\\s+F0401\\s+1\\s+0\\s+1`));
    expect(one.stdout).not.toContain(bad);

    const summary = await runCli(['sim', 'stats', '--data-dir', join(dir, 'data')]);
    expect(summary.stderr).toBe('');
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain('messages:       1 accepted, 1 rejected, 1 duplicate');
  });

  it('`turnkey sim stats` exits 2 when there is no database, and `turnkey sim` exits 2 on a bad config', async () => {
    const missing = await runCli(['sim', 'stats', '--data-dir', join(dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no simulator database/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ dataDir: 'data', sftp: { prot: 1 } }));
    const bad = await runCli(['sim', '--config', join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sftp.prot: unknown key');
  });
});
