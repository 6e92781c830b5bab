/** Entries of the stability tracker's queues: a path, the observation it was queued for, when it is due. */
export interface QueueEntry {
  path: string;
  generation: number;
  dueAt: number;
}

/** A FIFO with O(1) shift; compacts itself now and then. */
export class Fifo {
  private items: QueueEntry[] = [];
  private head = 0;

  push(entry: QueueEntry): void {
    this.items.push(entry);
  }

  peek(): QueueEntry | undefined {
    return this.items[this.head];
  }

  shift(): void {
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
