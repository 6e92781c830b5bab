import type { Database, Statement } from 'better-sqlite3';
import type { GroupChange, MessageTransitions } from './MessageTransitions.js';
import { isAllowedPackTransition, type MessageState, type PackState } from './states.js';
import { StoreError } from './StoreError.js';

export type { PackState } from './states.js';

export interface PackRow {
  id: number;
  commonName: string;
  signedFileName: string;
  messageType: string;
  fromPartyId: string;
  toPartyId: string;
  messageCount: number;
  size: number;
  zipped: boolean;
  payloadPath: string;
  payloadSha256: string;
  state: PackState;
  notifyCount: number;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  firstAttemptAt: number | null;
  /** Failed attempts the platform answered: the retry budget (outages and windows never count). */
  countedFailures: number;
  firstCountedFailureAt: number | null;
  /** The certificate that signed it; null for packs made before this was recorded. */
  signerFingerprint: string | null;
}

export interface NewPack {
  commonName: string;
  signedFileName: string;
  messageType: string;
  fromPartyId: string;
  toPartyId: string;
  size: number;
  zipped: boolean;
  payloadPath: string;
  payloadSha256: string;
  /** The certificate that signed it (SHA-256 fingerprint). */
  signerFingerprint?: string | null;
  /** The routing it is sent with (the envelope's From and To VAC routing ids). */
  fromRoutingId?: string | null;
  toRoutingId?: string | null;
}

export interface MessageVerdict {
  messageId: number;
  verdict: 'confirmed' | 'rejected';
  code: string | null;
  text: string | null;
}

/** A pack's messages moved together (for the log; each message's event is in the store). */
export interface PackMove extends GroupChange {
  packId: number;
}

export type AttemptOutcome = 'ok' | 'failed' | 'unknown' | 'refused';

/**
 * The one module that writes `packs.state`, and the message moves that go with a pack's. Every
 * change is one short transaction naming the pack state it expects; message moves go through
 * MessageTransitions (which owns `messages.state`) inside the same transaction.
 */
export class PackTransitions {
  private readonly insertPack: Statement;
  private readonly insertPackMessage: Statement;
  private readonly updatePack: Statement;
  private readonly packMessages: Statement;
  private readonly insertAttempt: Statement;
  private readonly finishAttempt: Statement;
  private readonly countAttempt: Statement;
  private readonly packState: Statement;
  private readonly countFailure: Statement;
  private readonly setPartyDue: Statement;
  private readonly restartAges: Statement;
  private readonly restartAge: Statement;
  private readonly resetBudget: Statement;

  constructor(
    private readonly db: Database,
    private readonly messages: MessageTransitions,
    private readonly now: () => number = Date.now,
  ) {
    this.insertPack = db.prepare(`
      INSERT INTO packs (common_name, signed_file_name, message_type, from_party_id, to_party_id, message_count, size,
        zipped, payload_path, payload_sha256, state, next_attempt_at, created_at, signer_fingerprint, from_routing_id, to_routing_id)
      VALUES (@commonName, @signedFileName, @messageType, @fromPartyId, @toPartyId, @messageCount, @size,
        @zipped, @payloadPath, @payloadSha256, 'packed', @at, @at, @signerFingerprint, @fromRoutingId, @toRoutingId)`);
    this.insertPackMessage = db.prepare('INSERT INTO pack_messages (pack_id, message_id, position) VALUES (?, ?, ?)');
    this.updatePack = db.prepare(`
      UPDATE packs SET state = @to, next_attempt_at = COALESCE(@nextAttemptAt, next_attempt_at),
             last_error_code = @code, last_error_text = @text,
             uploaded_at = CASE WHEN @to = 'file-uploaded' THEN @at ELSE uploaded_at END,
             notified_at = CASE WHEN @to = 'notified' THEN @at ELSE notified_at END,
             ended_at = CASE WHEN @to IN ('settled', 'refused', 'failed') THEN @at ELSE ended_at END
       WHERE id = @id AND state = @from`);
    this.packMessages = db.prepare(`
      SELECT m.id, m.state FROM pack_messages pm JOIN messages m ON m.id = pm.message_id
       WHERE pm.pack_id = ? ORDER BY pm.position`);
    this.insertAttempt = db.prepare('INSERT INTO attempts (pack_id, stage, started_at) VALUES (?, ?, ?)');
    this.finishAttempt = db.prepare(`
      UPDATE attempts SET ended_at = @at, outcome = @outcome, error_code = @errorCode, http_status = @httpStatus,
             status_code = @statusCode, detail = @detail
       WHERE id = @id AND ended_at IS NULL`);
    this.countAttempt = db.prepare(`
      UPDATE packs SET attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, @at),
             notify_count = notify_count + CASE WHEN @stage = 'notify' THEN 1 ELSE 0 END
       WHERE id = @id
      RETURNING notify_count AS notifyCount`);
    this.packState = db.prepare('SELECT state FROM packs WHERE id = ?').pluck();
    this.countFailure = db.prepare(`
      UPDATE packs SET counted_failures = counted_failures + 1, first_counted_failure_at = COALESCE(first_counted_failure_at, @at)
       WHERE id = @id`);
    // Through packs_due (the due packs), then the party.
    this.setPartyDue = db.prepare(`
      UPDATE packs SET next_attempt_at = @next
       WHERE state IN ('packed', 'file-uploaded', 'unknown') AND next_attempt_at <= @now AND from_party_id = @party`);
    this.restartAge = db.prepare('UPDATE packs SET first_counted_failure_at = NULL WHERE id = ?');
    this.resetBudget = db.prepare('UPDATE packs SET counted_failures = 0, first_counted_failure_at = NULL, ended_at = NULL WHERE id = ?');
    this.restartAges = db.prepare(`
      UPDATE packs SET first_counted_failure_at = NULL
       WHERE first_counted_failure_at IS NOT NULL AND state IN ('packed', 'file-uploaded', 'unknown')`);
  }

  /** Records a pack whose signed file is already on disk, and moves its messages queued → packed. */
  create(pack: NewPack, messageIds: readonly number[]): { packId: number; changes: PackMove[] } {
    return this.db
      .transaction(() => {
        const at = this.now();
        const packId = Number(
          this.insertPack.run({
            ...pack,
            zipped: pack.zipped ? 1 : 0,
            messageCount: messageIds.length,
            at,
            signerFingerprint: pack.signerFingerprint ?? null,
            fromRoutingId: pack.fromRoutingId ?? null,
            toRoutingId: pack.toRoutingId ?? null,
          }).lastInsertRowid,
        );
        messageIds.forEach((id, position) => this.insertPackMessage.run(packId, id, position));
        const moved = this.messages.moveMany(messageIds, 'queued', 'packed', { detail: pack.commonName });
        return { packId, changes: [{ packId, ...moved }] };
      })
      .immediate();
  }

  /**
   * Counts an attempt before it is made (so a crash during it is still counted) and returns the
   * `retry` value for a notification: the number of notifications of this file sent before.
   */
  startAttempt(packId: number, stage: 'upload' | 'notify'): { attemptId: number; retry: number } {
    return this.db
      .transaction(() => {
        const at = this.now();
        const attemptId = Number(this.insertAttempt.run(packId, stage, at).lastInsertRowid);
        const row = this.countAttempt.get({ id: packId, stage, at }) as { notifyCount: number };
        return { attemptId, retry: row.notifyCount - 1 };
      })
      .immediate();
  }

  endAttempt(
    attemptId: number,
    outcome: AttemptOutcome,
    details: { errorCode?: string | null; httpStatus?: number | null; statusCode?: number | null; detail?: string | null } = {},
  ): void {
    this.finishAttempt.run({
      id: attemptId,
      at: this.now(),
      outcome,
      errorCode: details.errorCode ?? null,
      httpStatus: details.httpStatus ?? null,
      statusCode: details.statusCode ?? null,
      detail: details.detail ?? null,
    });
  }

  /** The file is in the platform's in/ folder; the notification comes next. */
  fileUploaded(packId: number): void {
    this.db.transaction(() => this.movePack(packId, 'packed', 'file-uploaded', { nextAttemptAt: this.now() })).immediate();
  }

  /** The gateway queued the pack (statusCode 0): its messages are `uploaded` (Turnkey G). */
  notified(packId: number, from: 'file-uploaded' | 'unknown'): PackMove[] {
    return this.db
      .transaction(() => {
        this.movePack(packId, from, 'notified', {});
        return this.moveMessages(packId, ['packed', 'unknown'], 'uploaded', {});
      })
      .immediate();
  }

  /** The notification's outcome is unknown: never rejected, never re-signed; re-notify later. */
  unknown(packId: number, from: 'file-uploaded' | 'unknown', nextAttemptAt: number, code: string, text: string): PackMove[] {
    return this.db
      .transaction(() => {
        this.movePack(packId, from, 'unknown', { nextAttemptAt, code, text });
        return this.moveMessages(packId, ['packed'], 'unknown', { code });
      })
      .immediate();
  }

  /** A transient failure: same state, try again at `nextAttemptAt`. */
  retryLater(packId: number, state: PackState, nextAttemptAt: number, code: string, text: string, counted: boolean): void {
    this.db
      .transaction(() => {
        this.movePack(packId, state, state, { nextAttemptAt, code, text });
        // The age budget runs only while the platform answers: a failure it could not answer starts it again.
        if (counted) this.countFailure.run({ id: packId, at: this.now() });
        else this.restartAge.run(packId);
      })
      .immediate();
  }

  /**
   * The age budget starts again for every pack still being sent: after an outage or a window, time
   * the platform could not answer never counts against a pack.
   */
  restartAgeBudgets(): number {
    return this.restartAges.run().changes;
  }

  /**
   * An operator retries a pack that failed after its upload: it becomes `unknown` again (re-notified
   * at once with the same bytes, never re-signed), its failed messages `unknown`, its budget whole.
   */
  revive(packId: number): PackMove[] {
    return this.db
      .transaction(() => {
        this.movePack(packId, 'failed', 'unknown', { nextAttemptAt: this.now(), code: 'operator-retry', text: 'retried by an operator' });
        this.resetBudget.run(packId);
        return this.moveMessages(packId, ['failed'], 'unknown', {});
      })
      .immediate();
  }

  /**
   * Not now, with nothing attempted (their sender is held): every pack of the party due by `now`
   * waits until `nextAttemptAt`, in one write, however many packs a long hold keeps. Returns how many.
   */
  postponeParty(fromPartyId: string, now: number, nextAttemptAt: number): number {
    return this.setPartyDue.run({ party: fromPartyId, now, next: nextAttemptAt }).changes;
  }

  /** The platform refused the pack because its content is wrong: its messages are rejected. */
  refused(packId: number, from: PackState, code: string, text: string): PackMove[] {
    return this.db
      .transaction(() => {
        this.movePack(packId, from, 'refused', { code, text });
        return this.moveMessages(packId, ['packed', 'unknown', 'uploaded'], 'rejected', { code, text });
      })
      .immediate();
  }

  /** The retry budget is spent: the messages need an operator. A late result still settles them. */
  failed(packId: number, from: PackState, code: string, text: string): PackMove[] {
    return this.db
      .transaction(() => {
        this.movePack(packId, from, 'failed', { code, text });
        return this.moveMessages(packId, ['packed', 'unknown'], 'failed', { code, text });
      })
      .immediate();
  }

  /**
   * Applies a pack's results: each named message gets its verdict, whatever state it reached (a late
   * success after `unknown` or `failed` is never lost). Messages still `packed` pass through
   * `uploaded` first, so the history shows that the platform had them.
   */
  settle(packId: number, verdicts: readonly MessageVerdict[], markApplied: () => void): PackMove[] {
    return this.db
      .transaction(() => {
        const states = new Map((this.packMessages.all(packId) as Array<{ id: number; state: MessageState }>).map((r) => [r.id, r.state]));
        const stillPacked: number[] = [];
        // Messages with the same move, code and text go together.
        const groups = new Map<
          string,
          { from: MessageState; verdict: MessageVerdict['verdict']; code: string | null; text: string | null; ids: number[] }
        >();
        for (const v of verdicts) {
          let state = states.get(v.messageId);
          if (state === undefined || state === 'confirmed' || state === 'rejected') continue;
          if (state === 'packed') {
            stillPacked.push(v.messageId);
            state = 'uploaded';
          }
          states.set(v.messageId, v.verdict); // a message named twice is judged once
          const key = JSON.stringify([state, v.verdict, v.code, v.text]);
          const group = groups.get(key);
          if (group) group.ids.push(v.messageId);
          else groups.set(key, { from: state, verdict: v.verdict, code: v.code, text: v.text, ids: [v.messageId] });
        }
        const changes: PackMove[] = [];
        if (stillPacked.length > 0)
          changes.push({ packId, ...this.messages.moveMany(stillPacked, 'packed', 'uploaded', { detail: 'result arrived' }) });
        for (const g of groups.values())
          changes.push({ packId, ...this.messages.moveMany(g.ids, g.from, g.verdict, { code: g.code, text: g.text }) });
        const pack = this.packState.get(packId) as PackState | undefined;
        if (pack && pack !== 'settled' && pack !== 'refused') this.movePack(packId, pack, 'settled', {});
        markApplied();
        return changes;
      })
      .immediate();
  }

  private movePack(
    packId: number,
    from: PackState,
    to: PackState,
    options: { nextAttemptAt?: number; code?: string; text?: string },
  ): void {
    if (!isAllowedPackTransition(from, to))
      throw new StoreError('illegal-transition', `pack ${packId}: ${from} → ${to} is not an allowed state change`);
    const result = this.updatePack.run({
      id: packId,
      from,
      to,
      at: this.now(),
      nextAttemptAt: options.nextAttemptAt ?? null,
      code: options.code ?? null,
      text: options.text ?? null,
    });
    if (result.changes !== 1) {
      throw new StoreError('pack-moved-on', `pack ${packId}: expected state ${from} for ${from} → ${to}`);
    }
  }

  private moveMessages(
    packId: number,
    fromStates: readonly MessageState[],
    to: MessageState,
    options: { code?: string; text?: string },
  ): PackMove[] {
    const byState = new Map<MessageState, number[]>();
    for (const row of this.packMessages.all(packId) as Array<{ id: number; state: MessageState }>) {
      if (!fromStates.includes(row.state)) continue;
      const ids = byState.get(row.state);
      if (ids) ids.push(row.id);
      else byState.set(row.state, [row.id]);
    }
    return [...byState].map(([from, ids]) => ({
      packId,
      ...this.messages.moveMany(ids, from, to, { code: options.code ?? null, text: options.text ?? null }),
    }));
  }
}
