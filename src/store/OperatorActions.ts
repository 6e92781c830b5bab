import type { Database, Statement } from 'better-sqlite3';
import { HOLD } from './holdCodes.js';
import { MessageBytes } from './MessageBytes.js';
import { MessageEvents } from './MessageEvents.js';
import { MessageTransitions, type NewMessage } from './MessageTransitions.js';
import { PackTransitions } from './PackTransitions.js';
import type { MessageState } from './states.js';
import { StoreError } from './StoreError.js';

/** What one operator command did to one message. */
export interface ActionOutcome {
  messageId: number;
  number: string | null;
  /** What changed; null when nothing did (already done, or nothing to do). */
  changed: string | null;
  /** Why nothing changed. */
  reason: string | null;
}

interface Row {
  id: number;
  state: MessageState;
  number: string | null;
  errorCode: string | null;
  acknowledgedAt: number | null;
}

const HOLD_CODES: readonly string[] = Object.values(HOLD);

/**
 * What an operator does to messages (`turnkey ack`, `retry`, `resend`): each change one short
 * transaction naming the state it expects, each one in the message's history, each command a row in
 * `operator_actions` (who, when, what). Doing it again changes nothing and says so.
 */
export class OperatorActions {
  private readonly byId: Statement;
  private readonly ack: Statement;
  private readonly lastPack: Statement;
  private readonly dueNow: Statement;
  private readonly audit: Statement;
  private readonly releaseHolds: Statement;
  private readonly copyOf: Statement;
  private readonly events: MessageEvents;
  private readonly messages: MessageTransitions;
  private readonly packs: PackTransitions;
  private readonly bytes: MessageBytes;

  constructor(
    private readonly db: Database,
    private readonly user: string,
    private readonly now: () => number = Date.now,
  ) {
    this.byId = db.prepare(`
      SELECT id, state, invoice_number AS number, error_code AS errorCode, acknowledged_at AS acknowledgedAt FROM messages WHERE id = ?`);
    this.ack = db.prepare(`
      UPDATE messages SET acknowledged_at = ? WHERE id = ? AND state IN ('rejected', 'failed') AND acknowledged_at IS NULL`);
    this.lastPack = db.prepare(`
      SELECT p.id, p.state, p.uploaded_at AS uploadedAt FROM pack_messages pm JOIN packs p ON p.id = pm.pack_id
       WHERE pm.message_id = ? ORDER BY p.id DESC LIMIT 1`);
    this.dueNow = db.prepare("UPDATE packs SET next_attempt_at = ? WHERE id = ? AND state = 'unknown'");
    this.audit = db.prepare('INSERT INTO operator_actions (at, command, user, summary, messages) VALUES (?, ?, ?, ?, ?)');
    const holdCodes = HOLD_CODES.map(() => '?').join(', ');
    this.releaseHolds = db.prepare(`
      UPDATE problems SET resolved_at = ? WHERE area = 'sending' AND resolved_at IS NULL AND code IN (${holdCodes})`);
    this.copyOf = db.prepare(`
      SELECT message_type AS messageType, category, message_key AS messageKey, invoice_number AS invoiceNumber,
             invoice_date AS invoiceDate, action_date AS actionDate, seller_id AS sellerId, seller_name AS sellerName,
             buyer_id AS buyerId, buyer_name AS buyerName, total_amount AS totalAmount, tax_amount AS taxAmount, sha256, size,
             source_name AS sourceName, upload_deadline AS uploadDeadline
        FROM messages WHERE id = ?`);
    this.events = new MessageEvents(db, now);
    this.messages = new MessageTransitions(db, now);
    this.packs = new PackTransitions(db, this.messages, now);
    this.bytes = new MessageBytes(db, now);
  }

  /** `turnkey ack`: the operator has seen these rejections and failures; they stop counting as problems. */
  acknowledge(ids: readonly number[]): ActionOutcome[] {
    return this.each('ack', ids, (row) => {
      if (row.state !== 'rejected' && row.state !== 'failed') return skip(row, `it is ${row.state}, not rejected or failed`);
      if (row.acknowledgedAt !== null) return skip(row, 'already acknowledged');
      this.ack.run(this.now(), row.id);
      this.events.append(row.id, 'acknowledged', { detail: `by ${this.user}` });
      return done(row, 'acknowledged');
    });
  }

  /**
   * `turnkey retry`: puts messages back in line. A failed message never uploaded is queued again (a
   * new pack signs it); one whose pack was uploaded has that pack notified again (the same bytes,
   * never re-signed), with its other failed messages; an unknown one is re-notified now; one the
   * platform refused for its signature (E0004) is sent again as a new version of the same bytes.
   */
  retry(ids: readonly number[]): ActionOutcome[] {
    return this.each('retry', ids, (row) => {
      if (row.state === 'failed') {
        const pack = this.lastPack.get(row.id) as { id: number; state: string; uploadedAt: number | null } | undefined;
        if (pack && pack.state === 'failed' && pack.uploadedAt !== null) {
          this.packs.revive(pack.id);
          this.events.append(row.id, 'retried', { detail: `pack ${pack.id} notified again, by ${this.user}` });
          return done(row, `its pack (uploaded before) is notified again`);
        }
        this.messages.move(row.id, 'failed', 'queued', { detail: `retried by ${this.user}` });
        this.events.append(row.id, 'retried', { detail: `queued again, by ${this.user}` });
        return done(row, 'queued again');
      }
      if (row.state === 'unknown') {
        const pack = this.lastPack.get(row.id) as { id: number } | undefined;
        if (!pack || this.dueNow.run(this.now(), pack.id).changes === 0) return skip(row, 'its pack is no longer waiting to be notified');
        this.events.append(row.id, 'retried', { detail: `pack ${pack.id} notified again now, by ${this.user}` });
        return done(row, 'notified again now');
      }
      if (row.state === 'rejected' && row.errorCode === 'E0004') return this.sendAgain(row, 'after the signature was refused (E0004)');
      if (row.state === 'rejected') {
        return skip(row, `the platform refused its content (${row.errorCode ?? 'rejected'}): correct it in the ERP and drop it again`);
      }
      return skip(row, `it is ${row.state}: nothing to retry`);
    });
  }

  /** `turnkey resend`: a confirmed message the platform lost is sent again as a new version of its stored bytes. */
  resend(id: number): ActionOutcome {
    const [outcome] = this.each('resend', [id], (row) => {
      if (row.state !== 'confirmed') return skip(row, `it is ${row.state}; only a confirmed message is resent (see turnkey retry)`);
      return this.sendAgain(row, 'the platform lost it');
    });
    return outcome!;
  }

  /** Records an action that changed no message itself (an allocation imported, a report generated). */
  note(command: string, summary: string): void {
    this.audit.run(this.now(), command, this.user, summary, 0);
  }

  /** `turnkey retry --holds`: lifts every operator condition holding sending (they come back if the condition remains). */
  releaseSendingHolds(): number {
    return this.db
      .transaction(() => {
        const released = this.releaseHolds.run(this.now(), ...HOLD_CODES).changes;
        if (released > 0) this.audit.run(this.now(), 'retry --holds', this.user, `released ${released} hold(s) on sending`, 0);
        return released;
      })
      .immediate();
  }

  /** A new version of the same bytes, queued: the old one gives up its key and names its successor. */
  private sendAgain(row: Row, why: string): ActionOutcome {
    const kept = this.bytes.read(row.id);
    if (!kept) return skip(row, 'its bytes are no longer kept (retention): drop the file again');
    const copy = this.copyOf.get(row.id) as Omit<NewMessage, 'holdsKey' | 'errorCode' | 'errorText' | 'findingsJson' | 'bytesKept'>;
    this.messages.yieldKey(row.id, true);
    const { messageId } = this.messages.receive(
      { ...copy, holdsKey: true, errorCode: null, errorText: null, findingsJson: null, bytesKept: true, supersedes: row.id },
      `sent again (${why}) as a new version of message #${row.id}, by ${this.user}`,
    );
    this.bytes.keep(messageId, copy.sha256, kept);
    this.messages.move(messageId, 'received', 'queued');
    this.events.append(row.id, 'resent', { detail: `as message #${messageId} (${why}), by ${this.user}` });
    return done(row, `sent again as message #${messageId}`);
  }

  /** Applies `act` to each message in its own transaction, and records the command once. */
  private each(command: string, ids: readonly number[], act: (row: Row) => ActionOutcome): ActionOutcome[] {
    const outcomes = ids.map((id) =>
      this.db
        .transaction((): ActionOutcome => {
          const row = this.byId.get(id) as Row | undefined;
          if (!row) throw new StoreError('transition-conflict', `there is no message #${id}`);
          return act(row);
        })
        .immediate(),
    );
    const changed = outcomes.filter((o) => o.changed !== null);
    if (changed.length > 0) {
      const summary = `${command}: ${changed.length} message(s): ${changed
        .slice(0, 5)
        .map((o) => o.number ?? `#${o.messageId}`)
        .join(', ')}${changed.length > 5 ? ', …' : ''}`;
      this.audit.run(this.now(), command, this.user, summary, changed.length);
    }
    return outcomes;
  }
}

function done(row: Row, changed: string): ActionOutcome {
  return { messageId: row.id, number: row.number, changed, reason: null };
}

function skip(row: Row, reason: string): ActionOutcome {
  return { messageId: row.id, number: row.number, changed: null, reason };
}
