import { Session } from 'node:inspector';
import { getHeapStatistics } from 'node:v8';

/**
 * Keeps the daemon's memory near what it really uses. Under a steady flood V8 finds collection so
 * cheap that it lets the old generation grow to several times the live data before collecting
 * (measured: 25 MB live, 250-970 MB resident at 100,000 files). A full collection whenever the used
 * heap passes twice the live data of the last collection (at least `minLimitBytes`), checked
 * between intake batches, bounds the resident size instead.
 * Costs a few milliseconds per collection; does nothing when the heap stays small. It works however
 * node was started: with `--expose-gc` (bin/turnkey's shebang) it calls `gc()`; without it (`node
 * bin/turnkey start`, as service managers often run it) it asks V8 through the inspector protocol of
 * its own thread, which opens no port.
 */
export class HeapGuard {
  private timer: NodeJS.Timeout | null = null;
  private readonly collector: Collector;
  private collecting = false;

  /** Live data after the last collection: garbage may grow to as much again before the next. */
  private liveBytes = 0;

  constructor(
    private readonly onCollected: (usedAfterBytes: number) => void = () => undefined,
    private readonly minLimitBytes: number = 40 * 1024 * 1024,
    private readonly intervalMs: number = 250,
  ) {
    this.collector = gcCollector() ?? inspectorCollector();
  }

  /** How it collects: `gc` (node was started with --expose-gc) or `inspector`. */
  get method(): Collector['method'] {
    return this.collector.method;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.collecting) return;
      const limit = Math.max(this.minLimitBytes, 2 * this.liveBytes);
      if (getHeapStatistics().used_heap_size > limit) void this.collectNow();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One full collection now; resolves with the heap used after it. */
  async collectNow(): Promise<number> {
    this.collecting = true;
    try {
      await this.collector.collect();
      this.liveBytes = getHeapStatistics().used_heap_size;
      this.onCollected(this.liveBytes);
      return this.liveBytes;
    } finally {
      this.collecting = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.collector.close();
  }
}

interface Collector {
  method: 'gc' | 'inspector';
  collect(): Promise<void>;
  close(): void;
}

/**
 * `gc()` when node runs with `--expose-gc`. The trick of exposing it at run time through a new vm
 * context is not used: a collection started from that context runs native finalizers (better-sqlite3's
 * statements) outside node's environment, which aborts the process on Node 24.
 */
function gcCollector(): Collector | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return null;
  return {
    method: 'gc',
    collect: async () => gc(),
    close: () => undefined,
  };
}

/** `HeapProfiler.collectGarbage` through an in-process inspector session (connected when first needed). */
function inspectorCollector(): Collector {
  let session: Session | null = null;
  return {
    method: 'inspector',
    collect: () =>
      new Promise<void>((resolve, reject) => {
        if (!session) {
          session = new Session();
          session.connect();
        }
        session.post('HeapProfiler.collectGarbage', (err) => (err ? reject(err) : resolve()));
      }),
    close: () => {
      session?.disconnect();
      session = null;
    },
  };
}
