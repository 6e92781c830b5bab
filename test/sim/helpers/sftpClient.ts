import ssh2, { type FileEntry, type SFTPWrapper } from 'ssh2';
import type { RunningSimulator } from '../../../src/sim/index.js';

/**
 * A real SFTP client (ssh2's), pinned to the simulator's host key. ssh2 leaves a request pending
 * forever when the connection drops under it, so every request here also fails when the
 * connection closes, as a daemon's client must.
 */
export class SftpTestClient {
  private readonly closed: Promise<never>;

  private constructor(
    private readonly connection: ssh2.Client,
    readonly sftp: SFTPWrapper,
  ) {
    this.closed = new Promise<never>((_resolve, reject) => {
      connection.once('close', () => reject(new Error('the SFTP connection was closed')));
    });
    this.closed.catch(() => undefined);
  }

  private op<T>(run: (done: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
    const request = new Promise<T>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
    return Promise.race([request, this.closed]);
  }

  static async connect(sim: RunningSimulator, user: string, password: string): Promise<SftpTestClient> {
    const connection = await connectSsh(sim, user, password);
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => connection.sftp((e, s) => (e ? reject(e) : resolve(s))));
    return new SftpTestClient(connection, sftp);
  }

  upload(path: string, bytes: Buffer): Promise<void> {
    return this.op<void>((done) => this.sftp.writeFile(path, bytes, (e) => done(e, undefined)));
  }

  list(path: string): Promise<FileEntry[]> {
    return this.op<FileEntry[]>((done) => this.sftp.readdir(path, done));
  }

  async names(path: string): Promise<string[]> {
    return (await this.list(path)).map((e) => e.filename).sort();
  }

  read(path: string): Promise<Buffer> {
    return this.op<Buffer>((done) => this.sftp.readFile(path, done));
  }

  remove(path: string): Promise<void> {
    return this.op<void>((done) => this.sftp.unlink(path, (e) => done(e, undefined)));
  }

  async stat(path: string): Promise<{ size: number; isFile: boolean; isDirectory: boolean }> {
    const s = await this.op<ssh2.Stats>((done) => this.sftp.stat(path, done));
    return { size: s.size, isFile: s.isFile(), isDirectory: s.isDirectory() };
  }

  end(): void {
    this.connection.end();
  }
}

/** An SSH connection that accepts only the simulator's published host key. */
export function connectSsh(
  sim: RunningSimulator,
  user: string,
  password: string,
  options: { readyTimeout?: number } = {},
): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const connection = new ssh2.Client();
    connection
      .once('ready', () => resolve(connection))
      .once('error', reject)
      .connect({
        host: '127.0.0.1',
        port: sim.sftp.port,
        username: user,
        password,
        readyTimeout: options.readyTimeout ?? 10_000,
        hostVerifier: (key: Buffer) => `${sim.hostKey.algorithm} ${key.toString('base64')}` === sim.hostKey.publicKey,
      });
  });
}

/** The SFTP status code of a failed request (ssh2 puts it on the error). */
export async function sftpErrorCode(promise: Promise<unknown>): Promise<number | string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: number | string }).code ?? 'no-code';
  }
  throw new Error('the request succeeded; a refusal was expected');
}
