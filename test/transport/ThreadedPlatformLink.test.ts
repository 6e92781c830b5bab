import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ThreadedPlatformLink } from '../../src/transport/ThreadedPlatformLink.js';
import { TransportError } from '../../src/transport/TransportError.js';
import { SimLayout } from '../../src/sim/storage/SimLayout.js';
import { ACCOUNT, simSftpSettings, startFixture } from '../sim/helpers/simFixture.js';

/** A loopback port with nobody listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the SFTP thread', () => {
  it('gives back the same TransportError, code and all, as the main thread would, and closes cleanly', async () => {
    const link = await ThreadedPlatformLink.start({
      host: '127.0.0.1',
      port: await closedPort(),
      username: 'u',
      password: 'secret-pw',
      knownHosts: '',
      timeoutMs: 2000,
    });
    try {
      const error = await link.upload('in/x', new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: 'sftp-connect', retryable: true, outcomeUnknown: false });
      expect(String((error as Error).message)).not.toContain('secret-pw');
    } finally {
      await link.close();
    }
  });

  it('moves an upload that owns its buffer to the thread (the caller view empties) and copies a view of a shared one', async () => {
    const fixture = await startFixture();
    const link = await ThreadedPlatformLink.start(simSftpSettings(fixture));
    try {
      const owned = Buffer.from(new Uint8Array(64 * 1024).fill(0x41).buffer);
      await link.upload('in/owned.txt', owned);
      expect(owned.byteLength).toBe(0);

      const pooled = Buffer.from('a small payload'); // a view of Buffer's shared pool
      await link.upload('in/pooled.txt', pooled);
      expect(pooled.toString()).toBe('a small payload');

      // in/ is upload-only, as on the platform: the simulator's own folder shows what arrived.
      const inDir = new SimLayout(fixture.dataDir).inDir(ACCOUNT.transportId);
      expect(statSync(join(inDir, 'owned.txt')).size).toBe(64 * 1024);
      expect(readFileSync(join(inDir, 'pooled.txt'), 'utf8')).toBe('a small payload');
    } finally {
      await link.close();
      await fixture.close();
    }
  });
});
