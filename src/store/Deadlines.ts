import type { Database, Statement } from 'better-sqlite3';

/** States of a message the platform does not have yet: its deadline still matters. */
export const NOT_YET_UPLOADED = ['received', 'queued', 'packed', 'failed'] as const;

export interface DeadlineRisk {
  /** Messages not yet uploaded whose deadline is within the margin (or past). */
  atRisk: number;
  /** Of those, the ones already past their deadline. */
  overdue: number;
  /** The one due first. */
  first: { messageId: number; messageType: string; invoiceNumber: string | null; deadline: number } | null;
  byType: Record<string, number>;
}

const IN_NOT_YET_UPLOADED = `state IN (${NOT_YET_UPLOADED.map((s) => `'${s}'`).join(', ')})`;

/** The index of the waiting messages by deadline (migration 11). */
const WAITING_INDEX = 'messages_not_uploaded';

/** Legal deadlines: which messages the platform does not have yet though the law wants them soon. */
export class Deadlines {
  private readonly risky: Statement;
  private readonly first: Statement;
  private readonly lateBy: Statement;
  private readonly missing: Statement;
  private readonly set: Statement;

  constructor(private readonly db: Database) {
    // The index is named: without statistics SQLite prefers the state index, and then reads the row
    // of every waiting message (40 ms of a status on a million). A store not yet migrated (`turnkey
    // status` beside an older daemon) has no such index, and is read the slower way.
    const indexed = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(WAITING_INDEX) !== undefined;
    const waiting = indexed ? `messages INDEXED BY ${WAITING_INDEX}` : 'messages';
    this.risky = db.prepare(`
      SELECT message_type AS type, count(*) AS n, sum(upload_deadline <= @now) AS overdue FROM ${waiting}
       WHERE ${IN_NOT_YET_UPLOADED} AND upload_deadline <= @limit GROUP BY message_type`);
    this.first = db.prepare(`
      SELECT id AS messageId, message_type AS messageType, invoice_number AS invoiceNumber, upload_deadline AS deadline
        FROM ${waiting} WHERE ${IN_NOT_YET_UPLOADED} AND upload_deadline <= ? ORDER BY upload_deadline LIMIT 1`);
    this.lateBy = db.prepare(`
      SELECT count(*) AS n, min(upload_deadline) AS first FROM ${waiting}
       WHERE ${IN_NOT_YET_UPLOADED} AND upload_deadline >= ? AND upload_deadline < ?`);
    this.missing = db.prepare(`
      SELECT id, message_type AS messageType, buyer_id AS buyerId, invoice_date AS date, action_date AS actionDate FROM messages
       WHERE upload_deadline IS NULL AND ${IN_NOT_YET_UPLOADED} AND holds_key = 1`);
    this.set = db.prepare('UPDATE messages SET upload_deadline = ? WHERE id = ? AND upload_deadline IS NULL');
  }

  /** The messages not yet uploaded whose deadline falls before `now + marginMs`. */
  atRisk(now: number, marginMs: number): DeadlineRisk {
    const rows = this.risky.all({ now, limit: now + marginMs }) as Array<{ type: string; n: number; overdue: number }>;
    const byType: Record<string, number> = {};
    let atRisk = 0;
    let overdue = 0;
    for (const row of rows) {
      byType[row.type] = row.n;
      atRisk += row.n;
      overdue += row.overdue;
    }
    const first = atRisk === 0 ? null : (this.first.get(now + marginMs) as DeadlineRisk['first']);
    return { atRisk, overdue, first, byType };
  }

  /** Messages not yet uploaded due from `from` to before `to`: what a window over that time would make late. */
  dueWithin(from: number, to: number): { count: number; first: number | null } {
    const row = this.lateBy.get(from, to) as { n: number; first: number | null };
    return { count: row.n, first: row.first };
  }

  /**
   * Gives a deadline to the waiting messages recorded before deadlines were (no time of day is
   * kept for them: counted from the start of their day). Returns how many got one.
   */
  backfill(
    deadlineOf: (m: { messageType: string; buyerId: string | null; date: string | null; actionDate: string | null }) => number | null,
  ): number {
    return this.db
      .transaction(() => {
        let n = 0;
        for (const m of this.missing.all() as Array<{
          id: number;
          messageType: string;
          buyerId: string | null;
          date: string | null;
          actionDate: string | null;
        }>) {
          const deadline = deadlineOf(m);
          if (deadline !== null) n += this.set.run(deadline, m.id).changes;
        }
        return n;
      })
      .immediate();
  }
}
