import type { DestinationStream } from 'pino';

/** Where batched lines go: a synchronous writer (pino.destination with `sync: true`). */
export interface LineSink {
  write(text: string): unknown;
}

/** Every batcher of the process, flushed once more when it exits (an exit handler may only write synchronously). */
const batchers = new Set<LineBatcher>();
let exitHooked = false;

/**
 * Gathers log lines and writes them as one string once 8 KiB are pending, at least every second,
 * on `flush`, and when the process exits: a burst of state changes costs one write per few dozen
 * lines. SonicBoom's own `minLength` batching is not used: it appends each line to one pending
 * string and measures that string's byte length for every line, which copies the whole pending
 * buffer each time (measured: about 9 KB of garbage per 230-byte line, a quarter of everything
 * intake's thread allocated in a burst).
 */
export class LineBatcher implements DestinationStream {
  private lines: string[] = [];
  private pendingChars = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly minChars = 8192,
    periodMs = 1000,
  ) {
    setInterval(() => this.flushSync(), periodMs).unref();
    batchers.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', () => {
        for (const batcher of batchers) batcher.flushSync();
      });
    }
  }

  write(line: string): void {
    this.lines.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= this.minChars) this.flushSync();
  }

  flushSync(): void {
    if (this.lines.length === 0) return;
    const text = this.lines.join('');
    this.lines = [];
    this.pendingChars = 0;
    this.sink.write(text);
  }

  /** What pino's `logger.flush(cb)` calls. */
  flush(done?: (err?: Error) => void): void {
    flushWithCallback(() => this.flushSync(), done);
  }
}

/** Runs a synchronous flush for a caller that wants pino's callback form. */
export function flushWithCallback(flushSync: () => void, done?: (err?: Error) => void): void {
  try {
    flushSync();
  } catch (err) {
    done?.(err as Error);
    return;
  }
  done?.();
}
