import type { RemoteFile } from './sftp/SftpSession.js';

/**
 * The platform's SFTP folders as the sender and the result collector use them. Failures are
 * TransportErrors. Implemented on this thread (PlatformLink) or in a thread of its own
 * (ThreadedPlatformLink), so that an upload's round trips never wait for a busy event loop.
 */
export interface PlatformFiles {
  /** Opens the connection now (a later operation would otherwise open it). */
  connect(): Promise<void>;
  /**
   * The caller gives `bytes` up: a threaded link moves a buffer the bytes fill whole to its thread
   * (up to 20 MiB, not copied), after which the caller's view of it is empty.
   */
  upload(remotePath: string, bytes: Uint8Array): Promise<void>;
  list(remoteDir: string): Promise<RemoteFile[]>;
  download(remotePath: string): Promise<Buffer>;
  remove(remotePath: string): Promise<void>;
  close(): Promise<void>;
}
