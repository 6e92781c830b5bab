import type { PlatformFiles } from './PlatformFiles.js';
import { SftpSession, type RemoteFile, type SftpSettings } from './sftp/SftpSession.js';
import { TransportError } from './TransportError.js';

/**
 * One SFTP connection to the platform, opened when first needed and shared by uploads and result
 * collection (SFTP runs requests concurrently on one session). A failed operation drops it; the
 * next caller connects afresh.
 */
export class PlatformLink implements PlatformFiles {
  private session: Promise<SftpSession> | null = null;

  constructor(private readonly settings: SftpSettings) {}

  private async use<T>(operation: (session: SftpSession) => Promise<T>): Promise<T> {
    let pending = (this.session ??= SftpSession.connect(this.settings));
    let session: SftpSession;
    try {
      session = await pending;
      if (!session.isOpen) {
        // It closed while idle (the server restarted): connect afresh rather than wait for a timeout.
        if (this.session === pending) this.session = SftpSession.connect(this.settings);
        pending = this.session!;
        session = await pending;
      }
    } catch (err) {
      if (this.session === pending) this.session = null;
      throw err;
    }
    try {
      return await operation(session);
    } catch (err) {
      // A missing remote file is an answer, not a broken connection.
      if (!(err instanceof TransportError && err.code === 'sftp-remote-missing') && this.session === pending) {
        this.session = null;
        session.close();
      }
      throw err;
    }
  }

  connect(): Promise<void> {
    return this.use(async () => undefined);
  }

  upload(remotePath: string, bytes: Uint8Array): Promise<void> {
    return this.use((sftp) => sftp.upload(remotePath, bytes));
  }

  list(remoteDir: string): Promise<RemoteFile[]> {
    return this.use((sftp) => sftp.list(remoteDir));
  }

  download(remotePath: string): Promise<Buffer> {
    return this.use((sftp) => sftp.download(remotePath));
  }

  remove(remotePath: string): Promise<void> {
    return this.use((sftp) => sftp.remove(remotePath));
  }

  async close(): Promise<void> {
    const pending = this.session;
    this.session = null;
    if (!pending) return;
    try {
      (await pending).close();
    } catch {
      // It never connected: nothing to close.
    }
  }
}
