import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ThreadedPlatformLink } from '../../src/transport/ThreadedPlatformLink.js';
import { TransportError } from '../../src/transport/TransportError.js';

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
    const link = await ThreadedPlatformLink.start({ host: '127.0.0.1', port: await closedPort(), username: 'u', password: 'secret-pw', knownHosts: '', timeoutMs: 2000 });
    try {
      const error = await link.upload('in/x', new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: 'sftp-connect', retryable: true, outcomeUnknown: false });
      expect(String((error as Error).message)).not.toContain('secret-pw');
    } finally {
      await link.close();
    }
  });
});
