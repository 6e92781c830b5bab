import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { outboundFailpoint as failpoint } from './outboundFailpoints.js';
import type { PackMove, PackRow, PackState, PackTransitions } from '../store/PackTransitions.js';
import type { NotificationAnswer, UploadNotification } from '../transport/gateway/GatewayClient.js';
import { TransportError } from '../transport/TransportError.js';
import type { CircuitBreaker } from './CircuitBreaker.js';
import { describePlatformCode, refusalMeaning } from './platformCodes.js';
import { budgetExhausted, retryDelayMs, type RetryPolicy } from './retryPolicy.js';
import type { Sender, SenderLookup } from './Senders.js';

export interface NotificationSettings {
  toPartyId: string;
  toRoutingId: string;
  /** PFS001 `action` per message type (observed: C0401 with F0401). */
  actions: Readonly<Record<string, string>>;
  apiVersion: string;
  turnkeyVersion: string;
}

export interface PackSenderEvents {
  changes(changes: PackMove[]): void;
  /** One attempt's outcome, for the log (no payloads, no secrets). */
  attempt(event: {
    pack: string;
    stage: 'upload' | 'notify';
    outcome: string;
    code?: string;
    retry?: number;
    nextAttemptAt?: number;
  }): void;
  /** A pack the platform now has: collect results soon. */
  notified(pack: string): void;
}

/**
 * Moves one pack forward: upload the signed file (same bytes, same name, every time), then notify
 * the gateway. Every outcome is recorded before the next step, and classified by error code:
 * - upload failed → retry later (the file is uploaded again, whole);
 * - notify answered statusCode 0 → `notified`, messages `uploaded`;
 * - notify answered non-zero → content errors reject the messages, other codes retry later; but a
 *   pack whose earlier notification is unknown is never rejected (the platform may have it);
 * - notify timed out or broke after sending → `unknown`: re-notified with `retry` + 1 until an
 *   answer or a result settles it; never re-signed, never rejected.
 */
export class PackSender {
  constructor(
    private readonly packs: PackTransitions,
    /** A pack is uploaded and notified with the transport account of its sender (its From party). */
    private readonly senders: Pick<SenderLookup, 'byParty'>,
    private readonly breaker: CircuitBreaker,
    private readonly retry: RetryPolicy,
    private readonly settings: NotificationSettings,
    private readonly events: PackSenderEvents,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  async advance(pack: PackRow): Promise<void> {
    let state = pack.state;
    if (budgetExhausted(this.retry, pack.attempts, pack.firstAttemptAt ?? this.now(), this.now())) {
      this.giveUp(pack, state, pack.attempts);
      return;
    }
    const sender = this.senders.byParty(pack.fromPartyId);
    if (!sender) {
      // The configuration no longer names the pack's sender: it waits (the same bytes can only be sent by that party).
      const text = `no configured sender is the party ${pack.fromPartyId} of this pack; restore it in platform.senders`;
      this.packs.retryLater(pack.id, state, this.nextAttemptAt(pack), 'sender-unknown', text);
      this.events.attempt({
        pack: pack.commonName,
        stage: state === 'packed' ? 'upload' : 'notify',
        outcome: 'failed',
        code: 'sender-unknown',
      });
      return;
    }
    if (state === 'packed') {
      if (!(await this.upload(pack, sender))) return;
      state = 'file-uploaded';
    }
    if (state === 'file-uploaded' || state === 'unknown') await this.notify(pack, state, sender);
  }

  private async upload(pack: PackRow, sender: Sender): Promise<boolean> {
    let payload: Buffer;
    try {
      payload = readFileSync(pack.payloadPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'ENOENT') {
        // The signed file was removed: the same bytes can never be sent again, and a new pack
        // would be a new signature: the operator decides (the messages are failed, with the reason).
        this.giveUp(
          pack,
          'packed',
          pack.attempts,
          'payload-missing',
          `the signed file ${pack.payloadPath} is gone; it cannot be uploaded again`,
        );
      } else {
        this.retryLater(
          pack,
          'packed',
          `payload-${code.toLowerCase()}`,
          `the signed file ${pack.payloadPath} cannot be read (${code})`,
          'upload',
        );
      }
      return false;
    }
    if (createHash('sha256').update(payload).digest('hex') !== pack.payloadSha256) {
      // The signed file was altered on disk: sending it would send something never recorded.
      this.giveUp(
        pack,
        'packed',
        pack.attempts,
        'payload-mismatch',
        `the signed file ${pack.payloadPath} no longer matches its recorded SHA-256`,
      );
      return false;
    }
    const { attemptId } = this.packs.startAttempt(pack.id, 'upload');
    try {
      await sender.transport.link.upload(`in/${pack.commonName}`, payload);
    } catch (err) {
      const error = asTransportError(err);
      this.packs.endAttempt(attemptId, 'failed', { errorCode: error.code, detail: error.message });
      this.breaker.failed(error.code);
      this.retryLater(pack, 'packed', error.code, error.message, 'upload');
      return false;
    }
    this.packs.endAttempt(attemptId, 'ok');
    this.packs.fileUploaded(pack.id);
    this.breaker.succeeded();
    this.events.attempt({ pack: pack.commonName, stage: 'upload', outcome: 'ok' });
    failpoint('after-upload');
    return true;
  }

  private async notify(pack: PackRow, from: 'file-uploaded' | 'unknown', sender: Sender): Promise<void> {
    const { attemptId, retry } = this.packs.startAttempt(pack.id, 'notify');
    let answer: NotificationAnswer;
    try {
      answer = await sender.transport.gateway.notify(this.notification(pack, retry, sender));
    } catch (err) {
      const error = asTransportError(err);
      this.packs.endAttempt(attemptId, error.outcomeUnknown ? 'unknown' : 'failed', {
        errorCode: error.code,
        httpStatus: error.httpStatus,
        detail: error.message,
      });
      this.breaker.failed(error.code);
      if (error.outcomeUnknown || from === 'unknown') {
        const nextAttemptAt = this.nextAttemptAt(pack);
        this.events.changes(this.packs.unknown(pack.id, from, nextAttemptAt, error.code, error.message));
        this.events.attempt({ pack: pack.commonName, stage: 'notify', outcome: 'unknown', code: error.code, retry, nextAttemptAt });
      } else {
        this.retryLater(pack, from, error.code, error.message, 'notify');
      }
      return;
    }
    failpoint('after-notify');
    this.breaker.succeeded();
    if (answer.statusCode === 0) {
      this.packs.endAttempt(attemptId, 'ok', { statusCode: 0 });
      this.events.changes(this.packs.notified(pack.id, from));
      this.events.attempt({ pack: pack.commonName, stage: 'notify', outcome: 'ok', retry });
      this.events.notified(pack.commonName);
      return;
    }
    const detail = answer.statusDetail[0];
    const code = detail?.code || `status-${answer.statusCode}`;
    const text =
      [detail?.description, describePlatformCode(code)].filter(Boolean).join(' — ') || `refused with statusCode ${answer.statusCode}`;
    this.packs.endAttempt(attemptId, 'refused', { statusCode: answer.statusCode, errorCode: code, detail: text });
    if (from === 'file-uploaded' && refusalMeaning(code) === 'content') {
      this.events.changes(this.packs.refused(pack.id, from, code, text));
      this.events.attempt({ pack: pack.commonName, stage: 'notify', outcome: 'refused', code, retry });
      return;
    }
    this.retryLater(pack, from, code, text, 'notify');
  }

  private notification(pack: PackRow, retry: number, sender: Sender): UploadNotification {
    const s = this.settings;
    return {
      from: { partyId: pack.fromPartyId, routingId: sender.routingId },
      to: { partyId: s.toPartyId, routingId: s.toRoutingId },
      serviceType: 'S',
      messageType: pack.messageType,
      action: s.actions[pack.messageType] ?? pack.messageType,
      quantity: pack.messageCount,
      migVersion: '4.1',
      filename: pack.commonName,
      size: pack.size,
      zipped: pack.zipped,
      retry,
      apiVersion: s.apiVersion,
      turnkeyVersion: s.turnkeyVersion,
    };
  }

  private retryLater(pack: PackRow, state: PackState, code: string, text: string, stage: 'upload' | 'notify'): void {
    const attempts = pack.attempts + 1;
    if (budgetExhausted(this.retry, attempts, pack.firstAttemptAt ?? this.now(), this.now())) {
      this.giveUp(pack, state, attempts, code, text);
      return;
    }
    const nextAttemptAt = this.nextAttemptAt(pack);
    this.packs.retryLater(pack.id, state, nextAttemptAt, code, text);
    this.events.attempt({ pack: pack.commonName, stage, outcome: 'failed', code, nextAttemptAt });
  }

  private giveUp(pack: PackRow, state: PackState, attempts: number, code = 'retries-exhausted', text?: string): void {
    const why = text ?? `gave up after ${attempts} attempts since ${new Date(pack.firstAttemptAt ?? pack.createdAt).toISOString()}`;
    this.events.changes(this.packs.failed(pack.id, state, code, why));
    this.events.attempt({ pack: pack.commonName, stage: state === 'packed' ? 'upload' : 'notify', outcome: 'failed-final', code });
  }

  private nextAttemptAt(pack: PackRow): number {
    return this.now() + retryDelayMs(this.retry, pack.attempts + 1, this.random());
  }
}

function asTransportError(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TransportError('sftp-transfer', message, { cause: err });
}
