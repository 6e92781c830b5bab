import type Database from 'better-sqlite3';

/** What happened to one message number: the exactly-once ground truth. */
export interface InvoiceCounts {
  messageType: string | null;
  number: string;
  accepted: number;
  rejected: number;
  duplicate: number;
}

export interface SimStats {
  files: { received: number };
  notifications: { total: number; accepted: number; refused: number };
  packs: { total: number; queued: number; processed: number; resultsWritten: number; resultsSuppressed: number };
  messages: { accepted: number; rejected: number; duplicate: number };
  faults: Record<string, number>;
  e0501: { delivered: number };
  invoices: InvoiceCounts[];
}

/** Reads the counts from an open `sim.sqlite` (read-only use is enough). */
export function queryStats(db: Database.Database, options: { invoice?: string } = {}): SimStats {
  const one = (sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as Record<string, number | null>;
  const notifications = one(
    `SELECT COUNT(*) AS total, COALESCE(SUM(status_code = 0 AND http_status = 200), 0) AS accepted FROM notifications`,
  );
  const packs = one(
    `SELECT COUNT(*) AS total,
            COALESCE(SUM(state = 'queued'), 0) AS queued,
            COALESCE(SUM(state = 'processed'), 0) AS processed,
            COALESCE(SUM(results_state = 'written'), 0) AS written,
            COALESCE(SUM(results_state = 'suppressed'), 0) AS suppressed
       FROM packs`,
  );
  const messages = one(
    `SELECT COALESCE(SUM(decision = 'accepted'), 0) AS accepted,
            COALESCE(SUM(decision = 'rejected'), 0) AS rejected,
            COALESCE(SUM(decision = 'duplicate'), 0) AS duplicate
       FROM messages`,
  );
  const faultRows = db.prepare(`SELECT fault, COUNT(*) AS n FROM faults_fired GROUP BY fault ORDER BY fault`).all() as Array<{
    fault: string;
    n: number;
  }>;
  const invoiceSql = `SELECT message_type AS messageType, number,
            SUM(decision = 'accepted') AS accepted, SUM(decision = 'rejected') AS rejected, SUM(decision = 'duplicate') AS duplicate
       FROM messages WHERE number IS NOT NULL ${options.invoice !== undefined ? 'AND number = ?' : ''}
      GROUP BY message_type, number ORDER BY number, message_type`;
  const invoices = (
    options.invoice !== undefined ? db.prepare(invoiceSql).all(options.invoice) : db.prepare(invoiceSql).all()
  ) as InvoiceCounts[];
  const total = Number(notifications.total ?? 0);
  const accepted = Number(notifications.accepted ?? 0);
  return {
    files: { received: Number(one(`SELECT COUNT(*) AS n FROM received_files`).n ?? 0) },
    notifications: { total, accepted, refused: total - accepted },
    packs: {
      total: Number(packs.total ?? 0),
      queued: Number(packs.queued ?? 0),
      processed: Number(packs.processed ?? 0),
      resultsWritten: Number(packs.written ?? 0),
      resultsSuppressed: Number(packs.suppressed ?? 0),
    },
    messages: {
      accepted: Number(messages.accepted ?? 0),
      rejected: Number(messages.rejected ?? 0),
      duplicate: Number(messages.duplicate ?? 0),
    },
    faults: Object.fromEntries(faultRows.map((r) => [r.fault, r.n])),
    e0501: { delivered: Number(one(`SELECT COUNT(*) AS n FROM e0501_deliveries`).n ?? 0) },
    invoices,
  };
}
