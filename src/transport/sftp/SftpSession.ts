import { Client, type Algorithms, type SFTPWrapper } from 'ssh2';
import { TransportError } from '../TransportError.js';
import { isKnownHostKey, parseKnownHosts } from './knownHosts.js';

export interface SftpSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  /** known_hosts text holding the server's key; there is no accept-anything mode. */
  knownHosts: string;
  /** Older platform hosts needed legacy algorithms; left to ssh2's defaults when absent. */
  algorithms?: Algorithms;
  /** Connection and per-operation time limit (the protocol page says 120 s). */
  timeoutMs: number;
}

export interface RemoteFile {
  name: string;
  size: number;
}

/** One authenticated SFTP connection to the platform. Never logs the password. */
export class SftpSession {
  /**
   * What to do for each request under way if the connection closes: one 'close' listener serves
   * them all (an upload has many writes in flight at once).
   */
  private readonly underWay = new Set<() => void>();
  /** The connection closed (the server went away, or a request timed out): a request now would never be answered. */
  private closed = false;

  private constructor(
    private readonly client: Client,
    private readonly sftp: SFTPWrapper,
    private readonly timeoutMs: number,
  ) {
    client.on('close', () => {
      this.closed = true;
      for (const onClose of this.underWay) onClose();
      this.underWay.clear();
    });
  }

  /** False once the connection closed: the link connects afresh instead of waiting out a timeout. */
  get isOpen(): boolean {
    return !this.closed;
  }

  static connect(settings: SftpSettings): Promise<SftpSession> {
    const knownKeys = parseKnownHosts(settings.knownHosts);
    return new Promise((resolve, reject) => {
      const client = new Client();
      let hostKeyRejected = false;
      let settled = false;
      const fail = (err: TransportError): void => {
        if (settled) return;
        settled = true;
        client.end();
        reject(err);
      };
      client.on('ready', () => {
        client.sftp((err, sftp) => {
          if (err) return fail(new TransportError('sftp-connect', `SFTP subsystem refused: ${err.message}`, { cause: err }));
          settled = true;
          resolve(new SftpSession(client, sftp, settings.timeoutMs));
        });
      });
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (hostKeyRejected) {
          fail(
            new TransportError(
              'sftp-host-key',
              `the SFTP server at ${settings.host}:${settings.port} presented a host key that is not in the known-hosts entry`,
              {
                hint:
                  'If the platform changed its key, confirm the new key with the MOF and update platform.sftp.knownHosts; otherwise ' +
                  'this may be an impostor.',
              },
            ),
          );
        } else if (err.level === 'client-authentication') {
          fail(
            new TransportError('sftp-auth', `SFTP login refused for account ${settings.username}`, {
              hint: 'Check platform.transport.id and its password.',
            }),
          );
        } else {
          fail(
            new TransportError('sftp-connect', `cannot connect to SFTP ${settings.host}:${settings.port}: ${err.code ?? err.message}`, {
              cause: err,
            }),
          );
        }
      });
      client.on('close', () =>
        fail(new TransportError('sftp-connect', `SFTP connection to ${settings.host}:${settings.port} closed during set-up`)),
      );
      client.connect({
        host: settings.host,
        port: settings.port,
        username: settings.username,
        password: settings.password,
        readyTimeout: settings.timeoutMs,
        ...(settings.algorithms && { algorithms: settings.algorithms }),
        hostVerifier: (key: Buffer) => {
          const known = isKnownHostKey(knownKeys, settings.host, settings.port, key);
          if (!known) hostKeyRejected = true;
          return known;
        },
      });
      // ssh2 leaves Nagle's algorithm on: each SFTP round trip (a small request after a small
      // reply) then waits for the peer's delayed ACK, some 40 ms on loopback.
      client.setNoDelay(true);
    });
  }

  /**
   * Writes the whole file to `remotePath`, replacing a partial earlier upload of the same name. The
   * chunks are written with several requests in flight: one at a time would cost a round trip per
   * 32 KiB, which a busy process pays dearly for (each reply waits for the event loop).
   */
  async upload(remotePath: string, bytes: Uint8Array): Promise<void> {
    const handle = await this.call<Buffer>('open', (cb) => this.sftp.open(remotePath, 'w', cb));
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const chunk = 32 * 1024;
    const inFlight = 16;
    try {
      let next = 0;
      const writeNext = async (): Promise<void> => {
        while (next < buffer.length) {
          const offset = next;
          next += chunk;
          const length = Math.min(chunk, buffer.length - offset);
          await this.call<void>('write', (cb) => this.sftp.write(handle, buffer, offset, length, offset, cb));
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, Math.ceil(buffer.length / chunk)) }, writeNext));
    } finally {
      await this.call<void>('close', (cb) => this.sftp.close(handle, cb));
    }
  }

  async list(remoteDir: string): Promise<RemoteFile[]> {
    const entries = await this.call<Array<{ filename: string; attrs: { size: number; mode: number } }>>('readdir', (cb) =>
      this.sftp.readdir(remoteDir, cb),
    );
    // Regular files only (S_IFREG); results are never folders or links.
    return entries.filter((e) => (e.attrs.mode & 0o170000) === 0o100000).map((e) => ({ name: e.filename, size: e.attrs.size }));
  }

  async download(remotePath: string): Promise<Buffer> {
    return this.call<Buffer>('readFile', (cb) => this.sftp.readFile(remotePath, cb));
  }

  async remove(remotePath: string): Promise<void> {
    await this.call<void>('unlink', (cb) => this.sftp.unlink(remotePath, cb));
  }

  close(): void {
    this.client.end();
  }

  /** Runs one SFTP request with the operation time limit, mapping failures to TransportErrors. */
  private call<T>(operation: string, start: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
    if (this.closed) return Promise.reject(new TransportError('sftp-transfer', `SFTP connection closed before ${operation}`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.underWay.delete(onClose);
        this.client.end();
        reject(new TransportError('sftp-transfer', `SFTP ${operation} timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const onClose = (): void => {
        clearTimeout(timer);
        reject(new TransportError('sftp-transfer', `SFTP connection closed during ${operation}`));
      };
      this.underWay.add(onClose);
      start((err, value) => {
        clearTimeout(timer);
        this.underWay.delete(onClose);
        if (!err) return resolve(value);
        const missing = (err as Error & { code?: number }).code === 2; // SSH_FX_NO_SUCH_FILE
        reject(
          new TransportError(missing ? 'sftp-remote-missing' : 'sftp-transfer', `SFTP ${operation} failed: ${err.message}`, { cause: err }),
        );
      });
    });
  }
}
