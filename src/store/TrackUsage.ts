import type { Database, Statement } from 'better-sqlite3';

/** States of an invoice the platform has not settled yet: a blank report must wait for them. */
export const UNSETTLED_STATES = ['received', 'queued', 'packed', 'uploaded', 'unknown'] as const;

/** `+message_type`, `+state`: through the number's index (the range's invoices), never the type's (every invoice). */
export const RANGE_SQL = `
  SELECT invoice_number AS number, state, received_at AS receivedAt FROM messages
   WHERE invoice_number BETWEEN @low AND @high AND +message_type = 'F0401' AND +state <> 'invalid'
     AND invoice_date BETWEEN @firstDate AND @lastDate`;

/** How the invoices of a range were used, read through the invoice number's index. */
export interface RangeUse {
  /** The eight digits of every number issued (F0401 in any state but `invalid`), ascending, distinct. */
  used: number[];
  /** Of those, invoices not settled by the platform yet. */
  unsettled: number;
  /** When the last invoice of the range was received; null when none was. */
  lastReceivedAt: number | null;
}

/**
 * Which invoice numbers are used. A number counts as used once an F0401 with it was taken (any
 * state but `invalid`: a rejected or failed invoice was still issued and must be corrected, not
 * reported blank); a cancelled (F0501) or voided (F0701) invoice's number stays used: the platform
 * holds the invoice. Only invoices dated within the period count (letters come back in later years).
 */
export class TrackUsage {
  private readonly inRange: Statement;
  private readonly unsettledOfPeriod: Statement;
  private readonly refusedOfPeriod: Statement;

  constructor(db: Database) {
    this.inRange = db.prepare(RANGE_SQL);
    // Refused invoices of the period no later version of the same number replaced: the number was
    // probably issued on paper already, and waits for its corrected file.
    this.refusedOfPeriod = db.prepare(`
      SELECT DISTINCT m.invoice_number FROM messages m
       WHERE m.state = 'invalid' AND m.message_type = 'F0401' AND m.invoice_number IS NOT NULL
         AND m.invoice_date BETWEEN ? AND ?
         AND NOT EXISTS (SELECT 1 FROM messages v WHERE v.invoice_number = m.invoice_number AND +v.message_type = 'F0401'
                          AND +v.state <> 'invalid')`);
    this.unsettledOfPeriod = db.prepare(`
      SELECT state, count(*) AS n FROM messages
       WHERE message_type = 'F0401' AND state IN (${UNSETTLED_STATES.map((s) => `'${s}'`).join(', ')})
         AND invoice_date BETWEEN ? AND ? GROUP BY state`);
  }

  range(track: string, begin: number, end: number, dates: { firstDate: string; lastDate: string }): RangeUse {
    const rows = this.inRange.all({
      low: `${track}${String(begin).padStart(8, '0')}`,
      high: `${track}${String(end).padStart(8, '0')}`,
      firstDate: dates.firstDate,
      lastDate: dates.lastDate,
    }) as Array<{ number: string; state: string; receivedAt: number }>;
    const used = new Set<number>();
    let unsettled = 0;
    let lastReceivedAt: number | null = null;
    for (const row of rows) {
      used.add(Number(row.number.slice(2)));
      if ((UNSETTLED_STATES as readonly string[]).includes(row.state)) unsettled++;
      if (lastReceivedAt === null || row.receivedAt > lastReceivedAt) lastReceivedAt = row.receivedAt;
    }
    return { used: [...used].sort((a, b) => a - b), unsettled, lastReceivedAt };
  }

  /** Numbers of the period's F0401 refused at intake and not (yet) taken in a corrected version. */
  refusedNumbers(dates: { firstDate: string; lastDate: string }): string[] {
    return this.refusedOfPeriod.pluck().all(dates.firstDate, dates.lastDate) as string[];
  }

  /** The period's invoices (whatever their numbers) the platform has not settled, by state. */
  unsettled(dates: { firstDate: string; lastDate: string }): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.unsettledOfPeriod.all(dates.firstDate, dates.lastDate) as Array<{ state: string; n: number }>) {
      out[row.state] = row.n;
    }
    return out;
  }
}
