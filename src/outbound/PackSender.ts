import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { outboundFailpoint as failpoint } from './outboundFailpoints.js';
import type { PackMove, PackRow, PackState, PackTransitions } from '../store/PackTransitions.js';
import type { NotificationAnswer, UploadNotification } from '../transport/gateway/GatewayClient.js';
import { TransportError } from '../transport/TransportError.js';
import { readMaintenanceNotice } from '../schedule/maintenanceNotice.js';
import type { SendingGate } from '../schedule/SendingGate.js';
import type { CircuitBreaker } from './CircuitBreaker.js';
import { classifyFailure } from './classifyFailure.js';
import { describePlatformCode, isPlatformTrouble, refusalMeaning } from './platformCodes.js';
import { budgetExhausted, retryDelayMs, type RetryPolicy } from './retryPolicy.js';
import { HOLD, type SendingHolds } from './SendingHolds.js';
import type { Sender, SenderLookup } from './Senders.js';

/** What the sender asks of the maintenance windows. */
export type WindowGate = Pick<SendingGate, 'defer' | 'platformInMaintenance' | 'platformAnswered' | 'explainedByWindow'>;

/** What the sender asks of the operator conditions. */
export type Holds = Pick<SendingHolds, 'holding' | 'holdTransport' | 'holdSender' | 'releaseTransport'>;

/**
 * A held sender's packs are looked at again this often (the hold itself is probed or lifted
 * elsewhere). Each look postpones all of the sender's due packs in one statement (one commit, each
 * of their rows rewritten), with no network: a lifted hold costs its packs at most this long.
 */
const HELD_RECHECK_MS = 10_000;

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
    outcome: 'ok' | 'failed' | 'unknown' | 'refused' | 'failed-final' | 'maintenance';
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
 * Only failures the platform answered spend the retry budget: an outage opens the circuit breaker
 * and waits; the platform's own maintenance notice (or a refused login during a window it
 * announces) is a window, touching neither; a refused login, a changed host key or an unverifiable
 * signature (E0004) holds the sender for the operator instead of failing its messages.
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
    private readonly gate: WindowGate,
    private readonly holds: Holds,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  async advance(pack: PackRow): Promise<void> {
    let state = pack.state;
    if (budgetExhausted(this.retry, pack.countedFailures, pack.firstCountedFailureAt, this.now())) {
      this.giveUp(pack, state, pack.countedFailures);
      return;
    }
    const sender = this.senders.byParty(pack.fromPartyId);
    if (!sender) {
      // The configuration no longer names the pack's sender: it waits (the same bytes can only be sent by that party).
      const text = `no configured sender is the party ${pack.fromPartyId} of this pack; restore it in platform.senders`;
      this.packs.retryLater(pack.id, state, this.nextAttemptAt(pack), 'sender-unknown', text, false);
      this.events.attempt({
        pack: pack.commonName,
        stage: state === 'packed' ? 'upload' : 'notify',
        outcome: 'failed',
        code: 'sender-unknown',
      });
      return;
    }
    if (this.isHeld(pack, sender)) return;
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
          pack.countedFailures,
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
          true,
        );
      }
      return false;
    }
    if (createHash('sha256').update(payload).digest('hex') !== pack.payloadSha256) {
      // The signed file was altered on disk: sending it would send something never recorded.
      this.giveUp(
        pack,
        'packed',
        pack.countedFailures,
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
      await this.transportFailed(pack, 'packed', 'upload', error, sender);
      return false;
    }
    this.packs.endAttempt(attemptId, 'ok');
    this.packs.fileUploaded(pack.id);
    this.platformAnswered(sender);
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
      if (error.outcomeUnknown) {
        this.breaker.failed(error.code);
        const nextAttemptAt = this.nextAttemptAt(pack);
        this.events.changes(this.packs.unknown(pack.id, from, nextAttemptAt, error.code, error.message));
        this.events.attempt({ pack: pack.commonName, stage: 'notify', outcome: 'unknown', code: error.code, retry, nextAttemptAt });
      } else {
        await this.transportFailed(pack, from, 'notify', error, sender);
      }
      return;
    }
    failpoint('after-notify');
    this.platformAnswered(sender);
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
    if (code === 'E0004' && (pack.signerFingerprint === null || pack.signerFingerprint === sender.signer.fingerprint)) {
      // The signature cannot be verified: every pack of this sender would be refused the same way.
      this.holdCertificate(sender, text);
      this.retryLater(pack, from, code, text, 'notify', false);
      return;
    }
    if (isPlatformTrouble(code)) {
      // The platform's own system or database: its trouble, like an outage, never a pack's budget.
      this.breaker.failed(code);
      this.retryLater(pack, from, code, text, 'notify', false);
      return;
    }
    // (E0004 for a pack signed by a certificate no longer configured: the platform refuses it; it is sent again re-signed.)
    if (from === 'file-uploaded' && refusalMeaning(code) === 'content') {
      this.events.changes(this.packs.refused(pack.id, from, code, text));
      this.events.attempt({ pack: pack.commonName, stage: 'notify', outcome: 'refused', code, retry });
      return;
    }
    this.retryLater(pack, from, code, text, 'notify', true);
  }

  /** A sender held for the operator sends nothing: its pack waits, with no attempt and no budget spent. */
  private isHeld(pack: PackRow, sender: Sender): boolean {
    if (sender.signer.notAfter.getTime() <= this.now()) {
      this.holds.holdSender(
        sender,
        HOLD.certificateExpired,
        `the certificate of sender ${sender.partyId} expired on ${sender.signer.notAfter.toISOString()}; what it signs would be refused`,
      );
    }
    if (!this.holds.holding(sender)) return false;
    // The hold itself was logged once when raised; its packs wait quietly, all of them at once.
    this.packs.postponeParty(sender.partyId, this.now(), this.now() + HELD_RECHECK_MS);
    return true;
  }

  /** The platform can be reached and answers: its own window is over and the account's login works. */
  private platformAnswered(sender: Sender): void {
    // An outage just ended: the time it lasted counts against no pack's age budget.
    if (this.breaker.succeeded()) this.packs.restartAgeBudgets();
    this.gate.platformAnswered();
    this.holds.releaseTransport(sender.transport.id);
  }

  /** An upload or a notification failed without an answer about the pack: what it means decides what it costs. */
  private async transportFailed(
    pack: PackRow,
    state: PackState,
    stage: 'upload' | 'notify',
    error: TransportError,
    sender: Sender,
  ): Promise<void> {
    const kind = classifyFailure(error);
    if (kind === 'maintenance' || kind === 'login-refused') {
      const notice = kind === 'maintenance' ? readMaintenanceNotice(error.body, new Date(this.now())) : null;
      const window = notice ? this.gate.platformInMaintenance(notice, 'gateway') : await this.gate.explainedByWindow();
      if (window) {
        this.waitForWindow(pack, state, stage, error, window);
        return;
      }
    }
    if (kind === 'maintenance' || kind === 'outage') {
      // A bare 503 or no connection: the platform is down, which is the breaker's business, not the budget's.
      this.breaker.failed(error.code);
      this.retryLater(pack, state, error.code, error.message, stage, false);
      return;
    }
    if (kind === 'login-refused' || kind === 'host-key-changed' || kind === 'gateway-untrusted') {
      const code = {
        'login-refused': HOLD.loginRefused,
        'host-key-changed': HOLD.hostKeyChanged,
        'gateway-untrusted': HOLD.gatewayUntrusted,
      }[kind];
      this.holds.holdTransport(sender.transport.id, code, `${error.message} (transport account ${sender.transport.id})`);
      this.retryLater(pack, state, error.code, error.message, stage, false);
      return;
    }
    this.breaker.failed(error.code);
    this.retryLater(pack, state, error.code, error.message, stage, true);
  }

  /** The platform is in maintenance: the pack waits for the window's end; no budget, no breaker. */
  private waitForWindow(
    pack: PackRow,
    state: PackState,
    stage: 'upload' | 'notify',
    error: TransportError,
    window: { reason: string; endsAt: number | null },
  ): void {
    // After the window's end (a window of the platform's own without one: the gate lets a probe through).
    const nextAttemptAt = Math.max(this.gate.defer(this.nextAttemptAt(pack)), window.endsAt ?? 0);
    this.packs.retryLater(pack.id, state, nextAttemptAt, error.code, `${error.message} (maintenance: ${window.reason})`, false);
    this.events.attempt({ pack: pack.commonName, stage, outcome: 'maintenance', code: error.code, nextAttemptAt });
  }

  private holdCertificate(sender: Sender, text: string): void {
    this.holds.holdSender(
      sender,
      HOLD.certificateNotRegistered,
      `the platform cannot verify the signature of sender ${sender.partyId} (${text}); certificate ${sender.signer.subject}, ` +
        `fingerprint ${sender.signer.fingerprint}`,
    );
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

  /** Tries again later; `counted` when the platform answered (only those spend the budget). */
  private retryLater(pack: PackRow, state: PackState, code: string, text: string, stage: 'upload' | 'notify', counted: boolean): void {
    if (counted) {
      const failures = pack.countedFailures + 1;
      if (budgetExhausted(this.retry, failures, pack.firstCountedFailureAt ?? this.now(), this.now())) {
        this.giveUp(pack, state, failures, code, text);
        return;
      }
    }
    const nextAttemptAt = this.gate.defer(this.nextAttemptAt(pack));
    this.packs.retryLater(pack.id, state, nextAttemptAt, code, text, counted);
    this.events.attempt({ pack: pack.commonName, stage, outcome: 'failed', code, nextAttemptAt });
  }

  private giveUp(pack: PackRow, state: PackState, failures: number, code = 'retries-exhausted', text?: string): void {
    const since = new Date(pack.firstCountedFailureAt ?? pack.firstAttemptAt ?? pack.createdAt).toISOString();
    const why = text ?? `gave up after ${failures} failures the platform answered, since ${since}`;
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
