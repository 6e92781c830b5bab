import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/types.js';
import { flushWithCallback, LineBatcher, type LineSink } from './LineBatcher.js';
import { prettyLine } from './prettyLine.js';
import { CENSOR, REDACT_PATHS, SecretValues, scrubRecord, serializeError } from './redaction.js';
import { RotatingFile, type LogFileEvent } from './RotatingFile.js';

export type { Logger } from 'pino';

/** A size-rotated file of JSON lines (see RotatingFile). */
export interface LogFileOptions {
  path: string;
  /** Rotated before it would grow past this. */
  maxBytes: number;
  /** Rotated files kept besides the current one. */
  keep: number;
}

export interface LoggerOptions {
  /** JSON lines to this file as well as standard output; null: standard output only. */
  file: LogFileOptions | null;
  /** Standard output gets a line for people instead of JSON (the file keeps JSON); `auto`: when it is a terminal. */
  pretty: boolean | 'auto';
  /**
   * Secret values (passwords, as resolved) censored wherever they appear in a line: in a message,
   * a stack, an error's text. Read on every line, so a Set given here may grow later. Values shorter
   * than MIN_SECRET_LENGTH (6) are not looked for (they would censor ordinary words).
   */
  secrets?: Iterable<string>;
  /** Where standard output's lines go; tests. Default: file descriptor 1, written synchronously. */
  stdout?: LineSink;
  /** ANSI colours in pretty lines. Default: standard output is a terminal and NO_COLOR is not set. */
  colors?: boolean;
}

/**
 * JSON lines on standard output (what systemd's journal and Windows service wrappers collect), and
 * optionally the same lines in a size-rotated file (Windows has no journal), or on a terminal a
 * readable line instead.
 *
 * Lines are batched (LineBatcher) and written synchronously once 8 KiB are pending, at least every
 * second and at exit, never asynchronously: an intake batch keeps the event loop busy, and
 * asynchronous writes then fall behind and pile up in memory (measured: 40 MB of queued lines at
 * 100,000 files). The file is batched the same way, by its own LineBatcher over a synchronous
 * RotatingFile (why not pino-roll: see there). `flushLogger` is called before a clean exit.
 *
 * Log records carry keys, codes and counts, never message payloads or secrets; and in case one
 * does, secrets are censored three ways:
 * - pino's `redact` censors the secret keys (SECRET_KEYS) at the top level of a record and of a
 *   child's bindings. Deeper paths are not given to it: each wildcard path costs about 2 µs on
 *   every line (measured: 15 keys at 4 depths, 85 µs a line; a 100,000-file burst logs 100,000 lines);
 * - `scrubRecord` (formatters) censors any secret-looking key at any depth, copying only what it
 *   changes, and turns Errors anywhere in a record into serialized errors, censored the same way
 *   (`err` and `error` keep their serializer); an error's own fields (`config.password`, headers)
 *   never reach a line;
 * - the known secret values (`secrets`) are censored in the finished line, in plain and JSON-escaped
 *   form, before it goes to standard output or the file: a password quoted in an error message.
 */
export function createLogger(level: LogLevel, output?: DestinationStream | LoggerOptions): Logger {
  let destination: DestinationStream;
  if (output === undefined) destination = new LineBatcher(pino.destination({ dest: 1, sync: true }));
  else if (isStream(output)) destination = output;
  else destination = new LogOutputs(output, level);
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: scrubRecord, bindings: scrubRecord },
      serializers: { err: serializeError, error: serializeError },
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
    },
    destination,
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

function isStream(output: DestinationStream | LoggerOptions): output is DestinationStream {
  return typeof (output as { write?: unknown }).write === 'function';
}

/** Standard output (JSON or pretty) and the file, each batched on its own; secrets censored before either. */
class LogOutputs implements DestinationStream {
  private readonly sinks: LineSink[];
  private readonly batchers: LineBatcher[];
  private readonly secrets: SecretValues | null;

  constructor(options: LoggerOptions, level: LogLevel) {
    const stdout = new LineBatcher(options.stdout ?? pino.destination({ dest: 1, sync: true }));
    const pretty = options.pretty === 'auto' ? options.stdout === undefined && process.stdout.isTTY === true : options.pretty;
    const colors = options.colors ?? (options.stdout === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR);
    const console: LineSink = pretty ? { write: (line: string) => stdout.write(prettyLine(line, colors)) } : stdout;
    this.sinks = [console];
    this.batchers = [stdout];
    this.secrets = options.secrets ? new SecretValues(options.secrets) : null;
    if (options.file) {
      // The file's own trouble goes to standard output, as a log line: never through the logger (it is what is failing).
      const threshold = level === 'silent' ? Number.POSITIVE_INFINITY : pino.levels.values[level]!;
      const report = (event: LogFileEvent, fields: Record<string, unknown>, message: string): void => {
        const label = event === 'log-file-resumed' ? 'info' : event === 'log-file-failed' ? 'error' : 'warn';
        if (pino.levels.values[label]! < threshold) return;
        console.write(
          `${JSON.stringify({ level: label, time: new Date().toISOString(), pid: process.pid, event, ...fields, msg: message })}\n`,
        );
      };
      const file = new LineBatcher(new RotatingFile(options.file, report));
      this.sinks.push(file);
      this.batchers.push(file);
    }
  }

  write(line: string): void {
    const text = this.secrets ? this.secrets.scrub(line) : line;
    for (const sink of this.sinks) sink.write(text);
  }

  flushSync(): void {
    for (const batcher of this.batchers) batcher.flushSync();
  }

  /** What pino's `logger.flush(cb)` calls. */
  flush(done?: (err?: Error) => void): void {
    flushWithCallback(() => this.flushSync(), done);
  }
}
