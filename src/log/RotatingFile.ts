import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import type { LineSink } from './LineBatcher.js';

export interface RotatingFileOptions {
  path: string;
  /**
   * The file is rotated before a write would take it past this size. Writes are LineBatcher's
   * batches (about 8 KiB of whole lines), so no line is ever split across two files; a single
   * batch larger than this still goes in whole, into a fresh file.
   */
  maxBytes: number;
  /** Rotated files kept besides the current one: `<name>.1<ext>` (the newest) … `<name>.<keep><ext>`. 0: the file starts over. */
  keep: number;
}

/** What the file has to tell the operator (the logger writes it to standard output as a log line). */
export type LogFileEvent = 'log-file-failed' | 'log-file-resumed' | 'log-file-not-rotated';
export type LogFileReporter = (event: LogFileEvent, fields: Record<string, unknown>, message: string) => void;

/** After a failure, how long the file is left alone before it is tried again. */
const RETRY_MS = 30_000;

/**
 * JSON log lines appended to a file rotated by size, written synchronously: the sink behind a
 * LineBatcher, as standard output is (see createLogger for why nothing is asynchronous).
 *
 * Why not pino-roll (4.0.0): it is meant to run as a pino transport, in a worker thread that writes
 * asynchronously, so lines in flight are lost when the process is killed or calls `process.exit`
 * (the failpoints do), and during a burst they queue in memory; used in-process it is built
 * asynchronously and still rolls asynchronously (on SonicBoom's `drain`, old files removed by
 * promises), its numbers grow forever (`name.1.log`, `name.2.log`, … `name.917.log`), and it brings
 * date-fns. This is a file descriptor, `writeSync`, and a few renames.
 *
 * Crash safety: each batch is one `writeSync` (appended, never rewritten); rotation closes the file
 * and renames (`name.<keep-1>` → `name.<keep>` … `name` → `name.1`), each rename atomic, so a crash
 * mid-rotation leaves at worst a gap in the numbers, never a lost or half-copied file. A line cut
 * short by a crash is ended with a newline when the file is opened again, so the next line starts on
 * its own. Logs are not fsynced: they are not the record (the store is).
 *
 * A file that cannot be written (a full disk, a removed folder, permissions) never stops the
 * daemon or standard output: its lines are dropped (and counted), the failure is reported once,
 * and the file is tried again every 30 s. A rotation refused (Windows: another program holds the
 * file open) keeps writing to the current file and tries again after 30 s.
 */
export class RotatingFile implements LineSink {
  private fd: number | null = null;
  private size = 0;
  /** While the file cannot be written: when it is tried again. */
  private retryAt = 0;
  private failing = false;
  private droppedBytes = 0;
  /** A refused rotation: when it is tried again. */
  private rotateRetryAt = 0;
  private rotationRefused = false;

  constructor(
    private readonly options: RotatingFileOptions,
    private readonly report: LogFileReporter = reportOnStderr,
    private readonly now: () => number = Date.now,
  ) {
    if (!(options.maxBytes >= 1)) throw new RangeError(`log file maxBytes must be at least 1 (got ${options.maxBytes})`);
    if (!Number.isInteger(options.keep) || options.keep < 0) throw new RangeError(`log file keep must be 0 or more (got ${options.keep})`);
    this.open();
  }

  /** The path of the n-th rotated file (1: the newest): `logs/turnkey.log` → `logs/turnkey.1.log`. */
  static rotatedPath(path: string, n: number): string {
    const ext = extname(path);
    return ext === '' || ext === path ? `${path}.${n}` : `${path.slice(0, -ext.length)}.${n}${ext}`;
  }

  write(text: string): void {
    const bytes = Buffer.from(text);
    if (this.fd === null && (this.now() < this.retryAt || !this.open())) {
      this.droppedBytes += bytes.length;
      return;
    }
    if (this.size > 0 && this.size + bytes.length > this.options.maxBytes && this.now() >= this.rotateRetryAt) this.rotate();
    if (this.fd === null) {
      this.droppedBytes += bytes.length;
      return;
    }
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
      this.size += bytes.length;
    } catch (err) {
      this.fail(err, bytes.length);
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // nothing to do about it
    }
    this.fd = null;
  }

  private open(): boolean {
    const { path } = this.options;
    try {
      // Only the file's own folder is made: a missing data root is the daemon's to report, not the logger's to create.
      makeFolder(dirname(path));
      const fd = openSync(path, 'a+', 0o600);
      try {
        let size = fstatSync(fd).size;
        if (size > 0) {
          const last = Buffer.alloc(1);
          readSync(fd, last, 0, 1, size - 1);
          if (last[0] !== 0x0a) size += writeSync(fd, '\n');
        }
        this.fd = fd;
        this.size = size;
      } catch (err) {
        closeSync(fd);
        throw err;
      }
    } catch (err) {
      this.fail(err, 0);
      return false;
    }
    if (this.failing) {
      this.failing = false;
      this.report('log-file-resumed', { path, droppedBytes: this.droppedBytes }, `writing the log file ${path} again`);
      this.droppedBytes = 0;
    }
    return true;
  }

  private rotate(): void {
    const { path, keep } = this.options;
    this.close();
    try {
      if (keep === 0) {
        removeIfThere(path);
      } else {
        // Files a larger `keep` left behind go first, then each moves one up; the oldest kept is overwritten.
        let stale = keep + 1;
        while (removeIfThere(RotatingFile.rotatedPath(path, stale))) stale++;
        for (let n = keep - 1; n >= 1; n--) renameIfThere(RotatingFile.rotatedPath(path, n), RotatingFile.rotatedPath(path, n + 1));
        renameSync(path, RotatingFile.rotatedPath(path, 1));
      }
      this.rotationRefused = false;
    } catch (err) {
      this.rotateRetryAt = this.now() + RETRY_MS;
      if (!this.rotationRefused) {
        this.rotationRefused = true;
        const e = err as NodeJS.ErrnoException;
        this.report(
          'log-file-not-rotated',
          { path, code: e.code ?? null },
          `cannot rotate the log file ${path} (${e.code ?? e.message}); writing on in it and trying again every 30 s`,
        );
      }
    }
    this.open();
  }

  private fail(err: unknown, bytes: number): void {
    this.close();
    this.droppedBytes += bytes;
    this.retryAt = this.now() + RETRY_MS;
    if (this.failing) return;
    this.failing = true;
    const e = err as NodeJS.ErrnoException;
    this.report(
      'log-file-failed',
      { path: this.options.path, code: e.code ?? null },
      `cannot write the log file ${this.options.path} (${e.code ?? e.message}); ` +
        'lines go to standard output only until it can (tried again every 30 s)',
    );
  }
}

function makeFolder(path: string): void {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** True when the file was there and is removed. */
function removeIfThere(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function renameIfThere(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function reportOnStderr(event: LogFileEvent, fields: Record<string, unknown>, message: string): void {
  process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), event, ...fields, msg: message })}\n`);
}
