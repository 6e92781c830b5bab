import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/types.js';
import { LineBatcher } from './LineBatcher.js';

export type { Logger } from 'pino';

/**
 * JSON lines on standard output (what systemd's journal and Windows service wrappers collect).
 * Lines are batched (LineBatcher) and written synchronously once 8 KiB are pending, at least every
 * second and at exit, never asynchronously: an intake batch keeps the event loop busy, and
 * asynchronous writes then fall behind and pile up in memory (measured: 40 MB of queued lines at
 * 100,000 files). `flushLogger` is called before a clean exit. Log records carry keys, codes and
 * counts, never message payloads or secrets.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? new LineBatcher(pino.destination({ dest: 1, sync: true })),
  );
}

/** Writes out what is buffered; resolves when done (or at once for a synchronous destination). */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush((err) => {
        void err;
        resolve();
      });
    } catch {
      resolve();
    }
  });
}
