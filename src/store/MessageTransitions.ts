import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { FINAL_STATES, isAllowedTransition, type MessageState } from './states.js';
import { StoreError } from './StoreError.js';

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

/** A state change's update, for one message or many (the WHERE clause is added). */
const SET_STATE = `
  UPDATE messages
     SET state = @to, state_changed_at = @at,
         final_at = CASE WHEN @final = 1 THEN @at ELSE NULL END,
         error_code = COALESCE(@code, error_code),
         error_text = COALESCE(@text, error_text)`;

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
 * (`WHERE id = ? AND state = ?`), checks that exactly one row changed, and appends its event. It
 * opens no transaction itself: callers group changes (one transaction per intake batch), and a
 * change made outside any transaction is its own.
 */
export class MessageTransitions {
  private readonly insertMessage: Statement;
  private readonly updateState: Statement;
  private readonly insertEvent: Statement;
  private readonly currentState: Statement;
  private readonly updateStates: Statement;
  private readonly insertEvents: Statement;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.insertMessage = db.prepare(`
      INSERT INTO messages (uuid, message_type, category, message_key, holds_key, invoice_number, invoice_date,
        action_date, seller_id, seller_name, buyer_id, buyer_name, total_amount, tax_amount, sha256, size,
        source_name, state, error_code, error_text, findings_json, received_at, state_changed_at, bytes_kept)
      VALUES (@uuid, @messageType, @category, @messageKey, @holdsKey, @invoiceNumber, @invoiceDate,
        @actionDate, @sellerId, @sellerName, @buyerId, @buyerName, @totalAmount, @taxAmount, @sha256, @size,
        @sourceName, 'received', @errorCode, @errorText, @findingsJson, @at, @at, @bytesKept)`);
    this.updateState = db.prepare(`${SET_STATE} WHERE id = @id AND state = @from RETURNING message_key AS messageKey, message_type AS messageType`);
    this.insertEvent = db.prepare(`
      INSERT INTO message_events (message_id, at, kind, from_state, to_state, code, detail)
      VALUES (?, ?, 'state', ?, ?, ?, ?)`);
    this.currentState = db.prepare('SELECT state FROM messages WHERE id = ?').pluck();
    // The set-based forms of the two above, for a pack's messages (ids as a JSON array).
    this.updateStates = db.prepare(`${SET_STATE} WHERE id IN (SELECT value FROM json_each(@ids)) AND state = @from`);
    this.insertEvents = db.prepare(`
      INSERT INTO message_events (message_id, at, kind, from_state, to_state, code, detail)
      SELECT value, @at, 'state', @from, @to, @code, @detail FROM json_each(@ids)`);
  }

  /** Records a new message in `received`; returns the change (its id is the new row's). */
  receive(message: NewMessage, detail: string | null = null): StateChange {
    const at = this.now();
    const result = this.insertMessage.run({
      ...message,
      uuid: randomUUID(),
      holdsKey: message.holdsKey ? 1 : 0,
      bytesKept: message.bytesKept ? 1 : 0,
      at,
    });
    const messageId = Number(result.lastInsertRowid);
    this.insertEvent.run(messageId, at, null, 'received', null, detail);
    return { messageId, messageKey: message.messageKey, messageType: message.messageType, from: null, to: 'received', at, code: null };
  }

  /**
   * Moves a message from `from` to `to`. Throws `illegal-transition` for a move the state machine
   * does not allow and `transition-conflict` when the message is not in `from` (someone else moved
   * it: the caller's view is stale and nothing was written).
   */
  move(messageId: number, from: MessageState, to: MessageState, options: { code?: string | null; text?: string | null; detail?: string | null } = {}): StateChange {
    if (!isAllowedTransition(from, to)) {
      throw new StoreError('illegal-transition', `message ${messageId}: ${from} → ${to} is not an allowed state change`);
    }
    const at = this.now();
    const row = this.updateState.get({
      id: messageId,
      from,
      to,
      at,
      final: FINAL_STATES.has(to) ? 1 : 0,
      code: options.code ?? null,
      text: options.text ?? null,
    }) as { messageKey: string | null; messageType: string } | undefined;
    if (!row) {
      const actual = this.currentState.get(messageId) as string | undefined;
      throw new StoreError(
        'transition-conflict',
        `message ${messageId}: expected state ${from} for ${from} → ${to}, found ${actual ?? 'no such message'}`,
      );
    }
    this.insertEvent.run(messageId, at, from, to, options.code ?? null, options.detail ?? null);
    return { messageId, messageKey: row.messageKey, messageType: row.messageType, from, to, at, code: options.code ?? null };
  }

  /**
   * Moves many messages from `from` to `to` at once, with the same checks as `move`: all of them
   * or, with `transition-conflict`, none (the caller's transaction is rolled back by the throw).
   * Must run inside a transaction.
   */
  moveMany(
    messageIds: readonly number[],
    from: MessageState,
    to: MessageState,
    options: { code?: string | null; text?: string | null; detail?: string | null } = {},
  ): GroupChange {
    if (!isAllowedTransition(from, to)) {
      throw new StoreError('illegal-transition', `${messageIds.length} messages: ${from} → ${to} is not an allowed state change`);
    }
    const at = this.now();
    const ids = JSON.stringify(messageIds);
    const code = options.code ?? null;
    const moved = this.updateStates.run({ ids, from, to, at, final: FINAL_STATES.has(to) ? 1 : 0, code, text: options.text ?? null }).changes;
    if (moved !== messageIds.length) {
      throw new StoreError('transition-conflict', `expected ${messageIds.length} messages in state ${from} for ${from} → ${to}, found ${moved}`);
    }
    this.insertEvents.run({ ids, at, from, to, code, detail: options.detail ?? null });
    return { messageIds: [...messageIds], from, to, at, code };
  }
}
