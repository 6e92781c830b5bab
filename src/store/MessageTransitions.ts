import type { Database, Statement, Transaction } from 'better-sqlite3';
import { FINAL_STATES, isAllowedTransition, type MessageState } from './states.js';
import { StoreError } from './StoreError.js';
import { uuidV7 } from '../time/timeOrderedIds.js';

/** What is recorded about a message when it is first received. */
export interface NewMessage {
  messageType: string;
  category: string;
  messageKey: string | null;
  /** True for the accepted message that owns its key; false for invalid attempts. */
  holdsKey: boolean;
  invoiceNumber: string | null;
  invoiceDate: string | null;
  actionDate: string | null;
  sellerId: string | null;
  sellerName: string | null;
  buyerId: string | null;
  buyerName: string | null;
  totalAmount: string | null;
  taxAmount: string | null;
  sha256: string;
  size: number;
  sourceName: string;
  /** The failure that will make it `invalid` when settled, if any. */
  errorCode: string | null;
  errorText: string | null;
  findingsJson: string | null;
  /** True when the caller keeps the bytes (MessageBytes) in the same transaction. */
  bytesKept: boolean;
  /** The earlier version of this message (same key) that this one corrects, if any. */
  supersedes?: number | null;
  /** When the law wants it at the platform (epoch ms); null when no deadline rule covers it. */
  uploadDeadline?: number | null;
}

/** One state change, for the log line written after its transaction commits. */
export interface StateChange {
  messageId: number;
  messageKey: string | null;
  messageType: string;
  from: MessageState | null;
  to: MessageState;
  at: number;
  code: string | null;
}

/** Messages moved together (a pack's), from one state to another: one event each, one log line. */
export interface GroupChange {
  messageIds: number[];
  from: MessageState;
  to: MessageState;
  at: number;
  code: string | null;
}

/**
 * The one module that writes `messages.state`. Every change names the state it expects
 * (`WHERE … AND state = ?`), checks that every message named changed, and appends one event per
 * message. A move is atomic on its own (a savepoint inside the caller's transaction); callers group
 * changes (one transaction per intake batch or pack step).
 */
export class MessageTransitions {
  private readonly insertMessage: Statement;
  private readonly insertEvent: Statement;
  private readonly updateStates: Statement;
  private readonly insertEvents: Statement;
  private readonly firstStray: Statement;
  private readonly giveUpKey: Statement;
  private readonly giveUpKeyForResend: Statement;
  private readonly addCount: Statement;
  private readonly typesOf: Statement;
  private readonly moveAtomically: Transaction<(move: PreparedMove) => void>;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    // Positional parameters: binding two dozen values by name costs about as much as the insert
    // itself, and this runs once per file in an intake burst.
    this.insertMessage = db.prepare(`
      INSERT INTO messages (uuid, message_type, category, message_key, holds_key, invoice_number, invoice_date,
        action_date, seller_id, seller_name, buyer_id, buyer_name, total_amount, tax_amount, sha256, size,
        source_name, state, error_code, error_text, findings_json, received_at, state_changed_at, bytes_kept, supersedes,
        upload_deadline)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertEvent = db.prepare(`
      INSERT INTO message_events (message_id, at, kind, from_state, to_state, code, detail)
      VALUES (?, ?, 'state', ?, ?, ?, ?)`);
    // Message ids travel as one JSON array, so a pack's thousand messages move in one statement.
    this.updateStates = db.prepare(`
      UPDATE messages
         SET state = @to, state_changed_at = @at,
             final_at = CASE WHEN @final = 1 THEN @at ELSE NULL END,
             error_code = COALESCE(@code, error_code),
             error_text = COALESCE(@text, error_text)
       WHERE id IN (SELECT value FROM json_each(@ids)) AND state = @from`);
    this.insertEvents = db.prepare(`
      INSERT INTO message_events (message_id, at, kind, from_state, to_state, code, detail)
      SELECT value, @at, 'state', @from, @to, @code, @detail FROM json_each(@ids)`);
    // After a partial update: a named message that did not reach `to`, and where it was.
    this.firstStray = db.prepare(`
      SELECT j.value AS id, m.state FROM json_each(@ids) j LEFT JOIN messages m ON m.id = j.value
       WHERE m.state IS NULL OR m.state != @to LIMIT 1`);
    // The counts per type and state move with the messages, in the same transaction (status reads them).
    this.addCount = db.prepare(`
      INSERT INTO message_counts (message_type, state, n) VALUES (?, ?, ?)
      ON CONFLICT (message_type, state) DO UPDATE SET n = n + excluded.n`);
    this.typesOf = db.prepare(`
      SELECT message_type AS type, count(*) AS n FROM messages WHERE id IN (SELECT value FROM json_each(?)) GROUP BY message_type`);
    // Only a message that is over (rejected, failed) gives its key up to a corrected version.
    this.giveUpKey = db.prepare(`UPDATE messages SET holds_key = 0 WHERE id = ? AND holds_key = 1 AND state IN ('rejected', 'failed')`);
    this.giveUpKeyForResend = db.prepare(
      `UPDATE messages SET holds_key = 0 WHERE id = ? AND holds_key = 1 AND state IN ('rejected', 'confirmed')`,
    );
    this.moveAtomically = db.transaction((move: PreparedMove) => {
      const { count, detail, ...params } = move;
      if (this.updateStates.run(params).changes !== count) {
        const stray = this.firstStray.get({ ids: params.ids, to: params.to }) as { id: number; state: string | null } | undefined;
        throw new StoreError(
          'transition-conflict',
          `message ${stray?.id ?? '?'}: expected state ${params.from} for ${params.from} → ${params.to}, found ` +
            `${stray?.state ?? 'no such message'}`,
        );
      }
      this.insertEvents.run({ ids: params.ids, at: params.at, from: params.from, to: params.to, code: params.code, detail });
      for (const { type, n } of this.typesOf.all(params.ids) as Array<{ type: string; n: number }>) {
        this.addCount.run(type, params.from, -n);
        this.addCount.run(type, params.to, n);
      }
    });
  }

  /** Records a new message in `received`; returns the change (its id is the new row's). */
  receive(message: NewMessage, detail: string | null = null): StateChange {
    const at = this.now();
    const result = this.insertMessage.run(
      uuidV7(at),
      message.messageType,
      message.category,
      message.messageKey,
      message.holdsKey ? 1 : 0,
      message.invoiceNumber,
      message.invoiceDate,
      message.actionDate,
      message.sellerId,
      message.sellerName,
      message.buyerId,
      message.buyerName,
      message.totalAmount,
      message.taxAmount,
      message.sha256,
      message.size,
      message.sourceName,
      message.errorCode,
      message.errorText,
      message.findingsJson,
      at,
      at,
      message.bytesKept ? 1 : 0,
      message.supersedes ?? null,
      message.uploadDeadline ?? null,
    );
    const messageId = Number(result.lastInsertRowid);
    this.insertEvent.run(messageId, at, null, 'received', null, detail);
    this.addCount.run(message.messageType, 'received', 1);
    return { messageId, messageKey: message.messageKey, messageType: message.messageType, from: null, to: 'received', at, code: null };
  }

  /**
   * A corrected version takes over the key of a rejected or failed message: the old one stops
   * holding it (its row and history stay). Call before recording the new version, in the same
   * transaction (the key's unique index allows one holder).
   */
  yieldKey(messageId: number, resent = false): void {
    // A confirmed message gives its key up only when an operator has it sent again (`turnkey resend`).
    if ((resent ? this.giveUpKeyForResend : this.giveUpKey).run(messageId).changes !== 1) {
      throw new StoreError(
        'transition-conflict',
        `message ${messageId} cannot give up its key: it does not hold one, or it is not rejected or failed`,
      );
    }
  }

  /** Moves one message; see moveMany. */
  move(messageId: number, from: MessageState, to: MessageState, options: MoveOptions = {}): GroupChange {
    return this.moveMany([messageId], from, to, options);
  }

  /**
   * Moves messages from `from` to `to`, all of them or none. Throws `illegal-transition` for a move
   * the state machine does not allow and `transition-conflict` when a message is not in `from`
   * (someone else moved it: the caller's view is stale and nothing was written).
   */
  moveMany(messageIds: readonly number[], from: MessageState, to: MessageState, options: MoveOptions = {}): GroupChange {
    if (!isAllowedTransition(from, to)) {
      throw new StoreError(
        'illegal-transition',
        `${from} → ${to} is not an allowed state change (messages ` +
          `${messageIds.slice(0, 3).join(', ')}${messageIds.length > 3 ? ', …' : ''})`,
      );
    }
    const at = this.now();
    const code = options.code ?? null;
    this.moveAtomically({
      ids: JSON.stringify(messageIds),
      count: messageIds.length,
      from,
      to,
      at,
      final: FINAL_STATES.has(to) ? 1 : 0,
      code,
      text: options.text ?? null,
      detail: options.detail ?? null,
    });
    return { messageIds: [...messageIds], from, to, at, code };
  }
}

interface MoveOptions {
  code?: string | null;
  text?: string | null;
  detail?: string | null;
}

/** A move's statement parameters. */
interface PreparedMove {
  ids: string;
  count: number;
  from: MessageState;
  to: MessageState;
  at: number;
  final: 0 | 1;
  code: string | null;
  text: string | null;
  detail: string | null;
}
