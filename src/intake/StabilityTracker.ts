import { DueHeap } from './DueHeap.js';
import { Fifo } from './Fifo.js';

interface Observation {
  size: number;
  mtimeMs: number;
  /** When this size+mtime was first seen. */
  since: number;
  /** Not before this time (a locked file is retried later). */
  notBefore: number;
  /** Bumped on every change, so stale queue entries can be told apart. */
  generation: number;
  /** The last look (stat) found it unchanged for `stableMs` or more. */
  stableAtLook: boolean;
}

/**
 * Decides when a file in SRC is fully written: its size and modification time must stay the same
 * for `stableMs`, counted from the modification time (from the first look when that lies in the
 * future: another clock). Holds at most `capacity` files (the rest wait in SRC and are
 * found by the next scan), so memory does not grow with the backlog. Pure: callers pass the stat
 * results and the time.
 *
 * Files due for another look come out of queues in due order: the stability wait (a heap: due
 * times follow the files' modification times, so the oldest file is taken first), and FIFOs whose
 * due times only grow (retries after a lock, files handed out but not taken). Finding them costs
 * nothing per waiting file.
 */
export class StabilityTracker {
  private readonly files = new Map<string, Observation>();
  /** Ordered by due time: with stability counted from the modification time, files arrive in no order. */
  private readonly waiting = new DueHeap();
  private readonly retrying = new Fifo();
  /** Handed out but not taken (the batch was full): first in line next time. */
  private readonly again = new Fifo();
  private generations = 0;

  constructor(
    readonly stableMs: number,
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.files.size;
  }

  get full(): boolean {
    return this.files.size >= this.capacity;
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  /** Records a look at the file; true when it has now been stable long enough. */
  observe(path: string, size: number, mtimeMs: number, now: number): boolean {
    let seen = this.files.get(path);
    // Unchanged since its modification time: a file moved into SRC whole (its mtime long past) is
    // stable at the first look; one still being written has a fresh mtime and waits.
    const since = Math.min(now, mtimeMs);
    const changed = !seen || seen.size !== size || seen.mtimeMs !== mtimeMs;
    if (!seen) {
      seen = { size, mtimeMs, since, notBefore: now, generation: 0, stableAtLook: false };
      this.files.set(path, seen);
    }
    if (changed) {
      seen.size = size;
      seen.mtimeMs = mtimeMs;
      seen.since = since;
      seen.generation = ++this.generations;
      this.waiting.push({ path, generation: seen.generation, dueAt: since + this.stableMs });
    }
    seen.stableAtLook = now - seen.since >= this.stableMs;
    // A first or changed look says only whether it is stable; an unchanged one also waits out a retry delay.
    return changed ? seen.stableAtLook : readyAt(seen, now);
  }

  /**
   * The last look already found the file stable (unchanged since its modification time, for
   * `stableMs` or more), and any retry delay is over: looking again adds nothing, since a complete
   * file's modification time does not move unless it is written again.
   */
  stableWhenLastSeen(path: string, now: number): boolean {
    const seen = this.files.get(path);
    return seen !== undefined && readyAt(seen, now);
  }

  /** The file's last seen size, for batch byte budgets. */
  sizeOf(path: string): number {
    return this.files.get(path)?.size ?? 0;
  }

  forget(path: string): void {
    this.files.delete(path);
    if (this.files.size === 0) {
      this.waiting.clear();
      this.retrying.clear();
      this.again.clear();
    }
  }

  /** Looks again no earlier than `at` (a locked or busy file). */
  deferUntil(path: string, at: number): void {
    const seen = this.files.get(path);
    if (!seen) return;
    seen.notBefore = at;
    seen.generation = ++this.generations;
    this.retrying.push({ path, generation: seen.generation, dueAt: at });
  }

  /**
   * Files worth looking at again now, oldest first. Each is handed out once per wait: the caller
   * either forgets it (claimed, gone) or looks at it with `observe` (which queues it again when it
   * changed) or defers it.
   */
  due(now: number, limit: number): string[] {
    const out: string[] = [];
    for (const queue of [this.again, this.retrying, this.waiting]) {
      for (let entry = queue.peek(); entry !== undefined && out.length < limit; entry = queue.peek()) {
        if (entry.dueAt > now) break;
        queue.shift();
        const seen = this.files.get(entry.path);
        if (seen && seen.generation === entry.generation) out.push(entry.path);
      }
    }
    return out;
  }

  /** Puts back a file handed out by `due` that was neither claimed nor changed (e.g. the batch was full). */
  requeue(path: string, now: number): void {
    const seen = this.files.get(path);
    if (!seen) return;
    seen.generation = ++this.generations;
    this.again.push({ path, generation: seen.generation, dueAt: now });
  }

  /** The earliest time a tracked file may become ready; undefined when none is queued. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const queue of [this.again, this.retrying, this.waiting]) {
      for (let entry = queue.peek(); entry !== undefined; entry = queue.peek()) {
        const seen = this.files.get(entry.path);
        if (!seen || seen.generation !== entry.generation) {
          queue.shift(); // stale: drop it
          continue;
        }
        if (next === undefined || entry.dueAt < next) next = entry.dueAt;
        break;
      }
    }
    return next;
  }
}

/** Found stable at its last look, and past any retry delay. */
function readyAt(seen: Observation, now: number): boolean {
  return seen.stableAtLook && now >= seen.notBefore;
}
