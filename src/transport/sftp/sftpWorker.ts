import { serveTasks } from '../../workers/serveTasks.js';
import { PlatformLink } from '../PlatformLink.js';
import { TransportError, type TransportErrorCode } from '../TransportError.js';
import type { RemoteFile, SftpSettings } from './SftpSession.js';

/** One SFTP operation asked of the SFTP thread. */
export type SftpRequest =
  | { op: 'connect' }
  | { op: 'upload'; path: string; bytes: Uint8Array }
  | { op: 'list'; path: string }
  | { op: 'download'; path: string }
  | { op: 'remove'; path: string }
  | { op: 'close' };

/** A TransportError as it crosses threads (the class does not survive structured cloning). */
interface TransportFailure {
  code: TransportErrorCode;
  message: string;
  hint?: string;
  outcomeUnknown: boolean;
}

export type SftpReply = { ok: true; files?: RemoteFile[]; bytes?: Uint8Array } | { ok: false; failure: TransportFailure };

/** The SFTP thread: one PlatformLink (one connection, operations run concurrently on it). */
serveTasks<SftpRequest, SftpReply>(async (data) => {
  const link = new PlatformLink(data as SftpSettings);
  return async (request) => {
    try {
      switch (request.op) {
        case 'connect':
          await link.connect();
          return { result: { ok: true } };
        case 'upload':
          await link.upload(request.path, request.bytes);
          return { result: { ok: true } };
        case 'list':
          return { result: { ok: true, files: await link.list(request.path) } };
        case 'download': {
          const bytes = await link.download(request.path);
          // A copy with a buffer of its own, moved rather than copied again.
          const own = new Uint8Array(bytes);
          return { result: { ok: true, bytes: own }, transfer: [own.buffer] };
        }
        case 'remove':
          await link.remove(request.path);
          return { result: { ok: true } };
        case 'close':
          await link.close();
          return { result: { ok: true } };
      }
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      return {
        result: {
          ok: false,
          failure: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), outcomeUnknown: err.outcomeUnknown },
        },
      };
    }
  };
});
