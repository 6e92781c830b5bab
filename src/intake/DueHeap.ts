import type { QueueEntry } from './Fifo.js';

interface Slot {
  entry: QueueEntry;
  /** Insertion order: entries due at the same time come out first in, first out. */
  seq: number;
}

/**
 * The stability tracker's queue of files waiting to become stable: earliest due first, whatever
 * the order they were seen in (a scan lists a folder in the file system's order, not by age). So
 * the oldest file is taken first, and a file still being written never holds up one that is ready.
 * A binary min-heap with the Fifo's interface.
 */
export class DueHeap {
  private slots: Slot[] = [];
  private seq = 0;

  push(entry: QueueEntry): void {
    const slots = this.slots;
    slots.push({ entry, seq: this.seq++ });
    let i = slots.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(slots[i]!, slots[parent]!)) break;
      swap(slots, i, parent);
      i = parent;
    }
  }

  peek(): QueueEntry | undefined {
    return this.slots[0]?.entry;
  }

  shift(): void {
    const slots = this.slots;
    const last = slots.pop();
    if (last === undefined || slots.length === 0) return;
    slots[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < slots.length && before(slots[left]!, slots[first]!)) first = left;
      if (right < slots.length && before(slots[right]!, slots[first]!)) first = right;
      if (first === i) return;
      swap(slots, i, first);
      i = first;
    }
  }

  clear(): void {
    this.slots = [];
  }
}

/** Without a destructuring swap, which allocates an array per swap in a heap that sees every file. */
function swap(slots: Slot[], i: number, j: number): void {
  const held = slots[i]!;
  slots[i] = slots[j]!;
  slots[j] = held;
}

function before(a: Slot, b: Slot): boolean {
  return a.entry.dueAt < b.entry.dueAt || (a.entry.dueAt === b.entry.dueAt && a.seq < b.seq);
}
