import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import { connectSsh, sftpErrorCode, SftpTestClient } from './helpers/sftpClient.js';
import { ACCOUNT, makeTempDir, startFixture, type SimFixture } from './helpers/simFixture.js';

const { STATUS_CODE } = ssh2.utils.sftp;

let fx: SimFixture;
let client: SftpTestClient;

beforeAll(async () => {
  fx = await startFixture({
    allocations: [{ partyId: ACCOUNT.partyId, period: '11512', track: 'SF', begin: '10000000', end: '10000049' }],
  });
  client = await SftpTestClient.connect(fx.sim, fx.account.transportId, fx.account.password);
});
afterAll(async () => {
  client?.end();
  await fx?.close();
});

describe('SFTP login', () => {
  it('presents the host key it reports, as a known_hosts line for its port', async () => {
    const { sim } = fx;
    expect(sim.hostKey.publicKeyLine).toBe(`[127.0.0.1]:${sim.sftp.port} ${sim.hostKey.publicKey}`);
    expect(sim.hostKey.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/]+=*$/);
    expect(sim.hostKey.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const pub = readFileSync(join(fx.dataDir, 'ssh_host_ed25519_key.pub'), 'utf8');
    expect(pub.startsWith(sim.hostKey.publicKey)).toBe(true);
    let seen = '';
    const connection = await new Promise<ssh2.Client>((resolve, reject) => {
      const c = new ssh2.Client();
      c.once('ready', () => resolve(c))
        .once('error', reject)
        .connect({
          host: '127.0.0.1',
          port: sim.sftp.port,
          username: ACCOUNT.transportId,
          password: ACCOUNT.password,
          hostVerifier: (key: Buffer) => {
            seen = key.toString('base64');
            return true;
          },
        });
    });
    connection.end();
    expect(`${sim.hostKey.algorithm} ${seen}`).toBe(sim.hostKey.publicKey);
  });

  it('keeps its host key across restarts', async () => {
    const dataDir = makeTempDir('hostkey');
    try {
      const first = await startSimulator({ dataDir, processingWorkers: 0 });
      const key = first.hostKey;
      await first.stop();
      const second = await startSimulator({ dataDir, processingWorkers: 0 });
      await second.stop();
      expect(second.hostKey.publicKey).toBe(key.publicKey);
      expect(second.hostKey.fingerprint).toBe(key.fingerprint);
      expect(second.hostKey.publicKeyLine).toBe(`[127.0.0.1]:${second.sftp.port} ${key.publicKey}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a wrong password and an unknown user', async () => {
    await expect(connectSsh(fx.sim, ACCOUNT.transportId, 'wrong-password')).rejects.toThrow(/authentication methods failed/i);
    await expect(connectSsh(fx.sim, 'NOBODY', ACCOUNT.password)).rejects.toThrow(/authentication methods failed/i);
  });

  it('offers no shell and no command execution', async () => {
    const connection = await connectSsh(fx.sim, ACCOUNT.transportId, ACCOUNT.password);
    try {
      await expect(
        new Promise((resolve, reject) => connection.exec('ls', (e, stream) => (e ? reject(e) : resolve(stream)))),
      ).rejects.toThrow();
    } finally {
      connection.end();
    }
  });
});

describe('SFTP folders', () => {
  it('shows in/ and out/ at the root, and starts there', async () => {
    expect(await client.names('.')).toEqual(['in', 'out']);
    expect(await client.names('/')).toEqual(['in', 'out']);
    const real = await new Promise<string>((resolve, reject) => client.sftp.realpath('.', (e, p) => (e ? reject(e) : resolve(p))));
    expect(real).toBe('/');
    expect((await client.stat('in')).isDirectory).toBe(true);
  });

  it('takes an upload into in/, visible (stat) once the handle is closed, never before', async () => {
    const sftp = client.sftp;
    const name = 'upload-visibility-test';
    const handle = await new Promise<Buffer>((resolve, reject) => sftp.open(`in/${name}`, 'w', (e, h) => (e ? reject(e) : resolve(h))));
    await new Promise<void>((resolve, reject) =>
      sftp.write(handle, Buffer.from('half of it'), 0, 10, 0, (e) => (e ? reject(e) : resolve())),
    );
    expect(await sftpErrorCode(client.stat(`in/${name}`))).toBe(STATUS_CODE.NO_SUCH_FILE);
    await new Promise<void>((resolve, reject) =>
      sftp.write(handle, Buffer.from(', all of it'), 0, 11, 10, (e) => (e ? reject(e) : resolve())),
    );
    await new Promise<void>((resolve, reject) => sftp.close(handle, (e) => (e ? reject(e) : resolve())));
    expect((await client.stat(`in/${name}`)).size).toBe(21);
    expect(readFileSync(join(fx.dataDir, 'sftp', ACCOUNT.transportId, 'in', name), 'utf8')).toBe('half of it, all of it');
  });

  it('lists, downloads and deletes files in out/', async () => {
    const [delivery] = await fx.sim.requestE0501('11512');
    const name = delivery!.fileName;
    expect(await client.names('out')).toContain(name);
    const entry = (await client.list('out')).find((e) => e.filename === name)!;
    const bytes = await client.read(`out/${name}`);
    expect(bytes.length).toBe(entry.attrs.size);
    expect(bytes.toString('utf8')).toContain('<InvoiceAssignNo');
    await client.remove(`out/${name}`);
    expect(await client.names('out')).not.toContain(name);
    expect(await sftpErrorCode(client.read(`out/${name}`))).toBe(STATUS_CODE.NO_SUCH_FILE);
  });

  it('refuses uploads anywhere but in/', async () => {
    for (const path of ['out/x', 'x', '/x', 'in/sub/x', 'other/x']) {
      expect(await sftpErrorCode(client.upload(path, Buffer.from('no')))).toBe(STATUS_CODE.PERMISSION_DENIED);
    }
  });

  it('refuses path traversal, whatever it points at', async () => {
    for (const path of ['in/../../x', '../etc/passwd', 'out/../../received/x', '/in/../in/x', '..']) {
      expect(await sftpErrorCode(client.upload(path, Buffer.from('no')))).toBe(STATUS_CODE.PERMISSION_DENIED);
    }
    expect(await sftpErrorCode(client.read('../sim.sqlite'))).toBe(STATUS_CODE.PERMISSION_DENIED);
    expect(await sftpErrorCode(client.list('../..'))).toBe(STATUS_CODE.PERMISSION_DENIED);
  });

  it('keeps in/ upload-only: no listing, reading or deleting there', async () => {
    await client.upload('in/kept-private', Buffer.from('secret'));
    expect(await sftpErrorCode(client.list('in'))).toBe(STATUS_CODE.PERMISSION_DENIED);
    expect(await sftpErrorCode(client.read('in/kept-private'))).toBe(STATUS_CODE.PERMISSION_DENIED);
    expect(await sftpErrorCode(client.remove('in/kept-private'))).toBe(STATUS_CODE.PERMISSION_DENIED);
  });

  it('refuses renames, folders and links', async () => {
    const sftp = client.sftp;
    const call = (run: (done: (e?: Error | null) => void) => void) =>
      new Promise<void>((resolve, reject) => run((e) => (e ? reject(e) : resolve())));
    expect(await sftpErrorCode(call((d) => sftp.rename('in/kept-private', 'in/other', d)))).toBe(STATUS_CODE.PERMISSION_DENIED);
    expect(await sftpErrorCode(call((d) => sftp.mkdir('in/sub', d)))).toBe(STATUS_CODE.PERMISSION_DENIED);
    expect(await sftpErrorCode(call((d) => sftp.rmdir('out', d)))).toBe(STATUS_CODE.PERMISSION_DENIED);
    expect(await sftpErrorCode(call((d) => sftp.symlink('/out', 'in/link', d)))).toBe(STATUS_CODE.PERMISSION_DENIED);
  });

  it('gives each account its own in/ and out/', async () => {
    const other = { transportId: 'TKTEST02', password: 'another-test-password', partyId: ACCOUNT.partyId, routingId: 'R2' };
    const two = await startFixture(
      {
        accounts: [
          { ...ACCOUNT, certificates: [fx.identity.certificatePem] },
          { ...other, certificates: [fx.identity.certificatePem] },
        ],
        allocations: [{ partyId: ACCOUNT.partyId, period: '11512', track: 'SF', begin: '10000000', end: '10000049' }],
      },
      fx.identity,
    );
    const a = await SftpTestClient.connect(two.sim, ACCOUNT.transportId, ACCOUNT.password);
    const b = await SftpTestClient.connect(two.sim, other.transportId, other.password);
    try {
      await a.upload('in/only-for-a', Buffer.from('a'));
      // Both accounts send for the same merchant: each gets its own copy of the E0501 in its own out/.
      const deliveries = await two.sim.requestE0501('11512');
      expect(deliveries.map((d) => d.account).sort()).toEqual([ACCOUNT.transportId, other.transportId]);
      const forA = deliveries.find((d) => d.account === ACCOUNT.transportId)!.fileName;
      const forB = deliveries.find((d) => d.account === other.transportId)!.fileName;
      expect(await a.names('out')).toEqual([forA]);
      expect(await b.names('out')).toEqual([forB]);
      expect(await sftpErrorCode(b.read(`out/${forA}`))).toBe(STATUS_CODE.NO_SUCH_FILE);
      expect(await sftpErrorCode(b.stat('in/only-for-a'))).toBe(STATUS_CODE.NO_SUCH_FILE);
    } finally {
      a.end();
      b.end();
      await two.close();
    }
  });
});
