import { getHeapStatistics } from 'node:v8';

/**
 * Keeps the daemon's memory near what it really uses. Under a steady flood V8 finds collection so
 * cheap that it lets the old generation grow to several times the live data before collecting
 * (measured: 25 MB live, 250-970 MB resident at 100,000 files). A full collection whenever the used
 * heap passes twice the live data of the last collection (at least `minLimitBytes`), checked
 * between intake batches, bounds the resident size instead.
 * Costs a few milliseconds per collection; does nothing when the heap stays small.
 */
export class HeapGuard {
  private timer: NodeJS.Timeout | null = null;
  private readonly collect: (() => void) | null;

  /** Live data after the last collection: garbage may grow to as much again before the next. */
  private liveBytes = 0;

  constructor(
    private readonly onCollected: (usedAfterBytes: number) => void = () => undefined,
    private readonly minLimitBytes: number = 40 * 1024 * 1024,
    private readonly intervalMs: number = 250,
  ) {
    this.collect = exposeGc();
  }

  start(): void {
    if (!this.collect || this.timer) return;
    this.timer = setInterval(() => {
      const limit = Math.max(this.minLimitBytes, 2 * this.liveBytes);
      if (getHeapStatistics().used_heap_size > limit) {
        this.collect!();
        this.liveBytes = getHeapStatistics().used_heap_size;
        this.onCollected(this.liveBytes);
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * `gc()` when node runs with `--expose-gc` (bin/turnkey asks for it in its shebang). The trick of
 * exposing it at run time through a new vm context is not used: a collection started from that
 * context runs native finalizers (better-sqlite3's statements) outside node's environment, which
 * aborts the process on Node 24.
 */
function exposeGc(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc;
  return typeof existing === 'function' ? existing : null;
}
