import type { Database, Statement } from 'better-sqlite3';
import { MESSAGE_STATES, type MessageState } from './states.js';

export interface KeyHolder {
  id: number;
  sha256: string;
  state: MessageState;
  receivedAt: number;
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
  private readonly counts: Statement;
  private readonly filing: Statement;

  constructor(db: Database) {
    this.keyHolder = db.prepare(
      'SELECT id, sha256, state, received_at AS receivedAt FROM messages WHERE message_key = ? AND holds_key = 1',
    );
    this.counts = db.prepare('SELECT message_type AS type, state, count(*) AS n FROM messages GROUP BY message_type, state');
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
