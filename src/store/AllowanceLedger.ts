import type { Database, Statement } from 'better-sqlite3';
import { NOT_STANDING_SQL } from './states.js';

/** An allowance that takes something off an invoice and stands (not refused, not cancelled). */
export interface StandingAllowance {
  messageId: number;
  allowanceNumber: string;
  /** Decimal text: Amount + Tax of its items for this invoice. */
  amount: string;
}

/**
 * What allowances (G0401) take off invoices: written with each accepted allowance, in the
 * transaction that records it, and read when a later allowance or a cancel of the invoice arrives.
 * An allowance stands while it holds its key in a state the platform has or will have (not
 * rejected or invalid) and no standing G0501 cancels it.
 */
export class AllowanceLedger {
  private readonly insert: Statement;
  private readonly standing: Statement;

  constructor(db: Database) {
    this.insert = db.prepare('INSERT OR IGNORE INTO allowance_refs (message_id, invoice_number, invoice_date, amount) VALUES (?, ?, ?, ?)');
    this.standing = db.prepare(`
      SELECT a.message_id AS messageId, m.invoice_number AS allowanceNumber, a.amount
        FROM allowance_refs a JOIN messages m ON m.id = a.message_id
       WHERE a.invoice_number = ? AND a.invoice_date = ?
         AND m.holds_key = 1 AND m.state NOT IN ${NOT_STANDING_SQL} AND m.id <> ?
         AND NOT EXISTS (
           SELECT 1 FROM messages c
            WHERE c.message_key = 'G0501' || m.invoice_number || m.invoice_date
              AND c.holds_key = 1 AND c.state NOT IN ${NOT_STANDING_SQL})
       ORDER BY a.message_id`);
  }

  record(messageId: number, references: ReadonlyArray<{ number: string; date: string; amount: string }>): void {
    for (const r of references) this.insert.run(messageId, r.number, r.date, r.amount);
  }

  /** The allowances standing on an invoice (but `excluding`: the version a corrected allowance replaces). */
  standingOn(invoiceNumber: string, invoiceDate: string, excluding: number | null = null): StandingAllowance[] {
    return this.standing.all(invoiceNumber, invoiceDate, excluding ?? 0) as StandingAllowance[];
  }
}
