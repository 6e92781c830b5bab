import type { Database, Statement } from 'better-sqlite3';
import { MessageEvents } from './MessageEvents.js';

const DAY_MS = 86_400_000;

/**
 * Bounds the disk used by kept bytes: once a message has been final (confirmed or rejected; invalid files keep no bytes)
 * for `retentionDays`, its bytes are deleted (its row and history stay). Works in short
 * transactions of `chunk` messages so the daemon's intake is never held up for long.
 */
export class Retention {
  private readonly candidates: Statement;
  private readonly release: Statement;
  private readonly deleteBytes: Statement;
  private readonly events: MessageEvents;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.candidates = db.prepare(`
      SELECT id FROM messages
       WHERE bytes_kept = 1 AND final_at IS NOT NULL AND final_at < ?
       ORDER BY final_at LIMIT ?`);
    this.release = db.prepare('UPDATE messages SET bytes_kept = 0 WHERE id = ? AND bytes_kept = 1');
    this.deleteBytes = db.prepare('DELETE FROM message_bytes WHERE message_id = ?');
    this.events = new MessageEvents(db, now);
  }

  /** Prunes what is due; returns how many messages had their bytes released. */
  pruneFinalBytes(retentionDays: number, chunk = 500): number {
    const cutoff = this.now() - retentionDays * DAY_MS;
    let total = 0;
    for (;;) {
      const released = this.db
        .transaction(() => {
          const rows = this.candidates.all(cutoff, chunk) as Array<{ id: number }>;
          for (const row of rows) {
            if (this.release.run(row.id).changes !== 1) continue;
            this.deleteBytes.run(row.id);
            this.events.append(row.id, 'bytes-pruned', { detail: `after ${retentionDays} days final` });
          }
          return rows.length;
        })
        .immediate();
      total += released;
      if (released < chunk) return total;
    }
  }
}
