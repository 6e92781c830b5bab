import { SHORT_LIVED_TASKS, WorkerPool } from '../workers/WorkerPool.js';
import { WorkerPoolError } from '../workers/WorkerPoolError.js';
import { workerScript } from '../workers/workerScript.js';
import type { PlatformFiles } from './PlatformFiles.js';
import type { RemoteFile, SftpSettings } from './sftp/SftpSession.js';
import type { SftpReply, SftpRequest } from './sftp/sftpWorker.js';
import { TransportError } from './TransportError.js';

/**
 * The platform's SFTP folders, worked from a thread of its own. An upload is a few dozen round
 * trips; on the main thread each waits for a turn of an event loop that an intake burst keeps busy
 * (an upload took 1.8 s there during a 20,000-file burst, 0.2 s after it). Errors come back as the
 * same TransportErrors, with the same codes.
 */
export class ThreadedPlatformLink implements PlatformFiles {
  private constructor(private readonly pool: WorkerPool<SftpRequest, SftpReply>) {}

  /** `settings` (the password included) go to the thread's memory only. */
  static async start(
    settings: SftpSettings,
    onThreadExit?: (exitCode: number, replacement: Promise<void>) => void,
  ): Promise<ThreadedPlatformLink> {
    const pool = await WorkerPool.start<SftpRequest, SftpReply>({
      script: workerScript('./sftp/sftpWorker.js', import.meta.url),
      workerData: settings,
      size: 1,
      resourceLimits: SHORT_LIVED_TASKS, // what an upload or a download allocates dies with it
      ...(onThreadExit ? { onWorkerExit: onThreadExit } : {}),
    });
    return new ThreadedPlatformLink(pool);
  }

  async connect(): Promise<void> {
    await this.run({ op: 'connect' });
  }

  async upload(remotePath: string, bytes: Uint8Array): Promise<void> {
    // A buffer the bytes fill whole (a payload read from its file) is moved; a view of a shared
    // buffer (Buffer's small-allocation pool) is copied, as moving it would empty its neighbours.
    const ownsBuffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    await this.run({ op: 'upload', path: remotePath, bytes }, ownsBuffer ? [bytes.buffer as ArrayBuffer] : []);
  }

  async list(remoteDir: string): Promise<RemoteFile[]> {
    return (await this.run({ op: 'list', path: remoteDir })).files ?? [];
  }

  async download(remotePath: string): Promise<Buffer> {
    const bytes = (await this.run({ op: 'download', path: remotePath })).bytes ?? new Uint8Array(0);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async remove(remotePath: string): Promise<void> {
    await this.run({ op: 'remove', path: remotePath });
  }

  /** Best effort: a connection the thread can no longer close is gone with the thread. */
  async close(): Promise<void> {
    try {
      await this.run({ op: 'close' });
    } catch {
      // The thread stopped, or the connection was already broken.
    } finally {
      await this.pool.close();
    }
  }

  private async run(request: SftpRequest, transfer: ArrayBuffer[] = []): Promise<Extract<SftpReply, { ok: true }>> {
    let reply: SftpReply;
    try {
      reply = await this.pool.run(request, transfer);
    } catch (err) {
      // The thread stopped (or the pool closed) during the operation: like a broken connection.
      const message = err instanceof WorkerPoolError ? `the SFTP thread failed during ${request.op}: ${err.message}` : String(err);
      throw new TransportError('sftp-transfer', message, { cause: err });
    }
    if (!reply.ok) {
      const { code, message, hint, outcomeUnknown } = reply.failure;
      throw new TransportError(code, message, { outcomeUnknown, ...(hint ? { hint } : {}) });
    }
    return reply;
  }
}
