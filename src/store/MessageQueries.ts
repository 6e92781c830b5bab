import type { Database, Statement } from 'better-sqlite3';
import { MESSAGE_STATES, NOT_STANDING_SQL, type MessageState } from './states.js';

export interface KeyHolder {
  id: number;
  sha256: string;
  state: MessageState;
  receivedAt: number;
  invoiceDate: string | null;
  totalAmount: string | null;
  /** 1 when a pack of it was uploaded: the platform may have it (so a `failed` one still stands). */
  uploaded: 0 | 1;
}

/** What intake needs to finish filing a recorded message after a crash. */
export interface FilingFacts {
  id: number;
  state: MessageState;
  messageType: string;
  messageKey: string | null;
  errorCode: string | null;
  errorText: string | null;
  findingsJson: string | null;
  receivedAt: number;
}

export interface MessageCounts {
  /** Every state, zero when none. */
  byState: Record<MessageState, number>;
  /** Per message type: the states it has messages in. */
  byType: Record<string, Partial<Record<MessageState, number>>>;
  total: number;
}

/** Read-only questions about messages (intake's duplicate check, status). */
export class MessageQueries {
  private readonly keyHolder: Statement;
  private readonly latestOfKey: Statement;
  private readonly sameNumber: Statement;
  private readonly counts: Statement;
  private readonly receivedBetween: Statement;
  private readonly finalBetween: Statement;
  private readonly filing: Statement;

  constructor(db: Database) {
    const holder = `id, sha256, state, received_at AS receivedAt, invoice_date AS invoiceDate, total_amount AS totalAmount,
      EXISTS (SELECT 1 FROM pack_messages pm JOIN packs p ON p.id = pm.pack_id
               WHERE pm.message_id = messages.id AND p.uploaded_at IS NOT NULL) AS uploaded`;
    this.keyHolder = db.prepare(`SELECT ${holder} FROM messages WHERE message_key = ? AND holds_key = 1`);
    // Through the number's index: keys have none of their own beyond the holders'.
    this.latestOfKey = db.prepare(`SELECT ${holder} FROM messages WHERE invoice_number = ? AND message_key = ? ORDER BY id DESC LIMIT 1`);
    // `+message_type`: through the number's index (a few rows), never the type's (every invoice).
    this.sameNumber = db.prepare(`
      SELECT ${holder} FROM messages
       WHERE invoice_number = ? AND +message_type = ? AND holds_key = 1 AND message_key <> ? AND +state NOT IN ${NOT_STANDING_SQL}`);
    // Kept per type and state by MessageTransitions (migration 8): read at once, whatever the store's size.
    // A store a daemon of this version has not opened yet (status reads it read-only) is counted row by row.
    this.counts =
      (db.pragma('user_version', { simple: true }) as number) >= 8
        ? db.prepare('SELECT message_type AS type, state, n FROM message_counts WHERE n <> 0')
        : db.prepare('SELECT message_type AS type, state, count(*) AS n FROM messages GROUP BY message_type, state');
    // Once a day, for the summary line: a scan is fine.
    this.receivedBetween = db.prepare('SELECT count(*) FROM messages WHERE received_at >= ? AND received_at < ?').pluck();
    this.finalBetween = db.prepare('SELECT state, count(*) AS n FROM messages WHERE final_at >= ? AND final_at < ? GROUP BY state');
    this.filing = db.prepare(`
      SELECT id, state, message_type AS messageType, message_key AS messageKey, error_code AS errorCode,
             error_text AS errorText, findings_json AS findingsJson, received_at AS receivedAt
        FROM messages WHERE id = ?`);
  }

  filingFacts(id: number): FilingFacts | undefined {
    return this.filing.get(id) as FilingFacts | undefined;
  }

  /** The accepted message that owns this key, if any. */
  findKeyHolder(messageKey: string): KeyHolder | undefined {
    return this.keyHolder.get(messageKey) as KeyHolder | undefined;
  }

  /** The last message recorded with this key (holding it or not): the version a new one would follow. */
  latestVersion(number: string, messageKey: string): KeyHolder | undefined {
    return this.latestOfKey.get(number, messageKey) as KeyHolder | undefined;
  }

  /** Standing messages of this type and number under another key (another date): an invoice number used twice. */
  sameNumberOtherKey(messageType: string, number: string, messageKey: string): KeyHolder[] {
    return this.sameNumber.all(number, messageType, messageKey) as KeyHolder[];
  }

  /** What a day brought (`from` ≤ t < `to`): messages received, and messages that reached each final state. */
  dayFigures(from: number, to: number): { received: number; final: Partial<Record<MessageState, number>> } {
    const received = this.receivedBetween.get(from, to) as number;
    const final: Partial<Record<MessageState, number>> = {};
    for (const row of this.finalBetween.all(from, to) as Array<{ state: MessageState; n: number }>) final[row.state] = row.n;
    return { received, final };
  }

  countByTypeAndState(): MessageCounts {
    const byState = Object.fromEntries(MESSAGE_STATES.map((s) => [s, 0])) as Record<MessageState, number>;
    const byType: MessageCounts['byType'] = {};
    let total = 0;
    for (const row of this.counts.all() as Array<{ type: string; state: MessageState; n: number }>) {
      byState[row.state] += row.n;
      (byType[row.type] ??= {})[row.state] = row.n;
      total += row.n;
    }
    return { byState, byType, total };
  }
}
