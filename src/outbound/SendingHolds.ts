import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import { HOLD, type HoldCode } from '../store/holdCodes.js';
import type { Problems } from '../store/Problems.js';
import type { Sender, Transport } from './Senders.js';

export { HOLD, type HoldCode } from '../store/holdCodes.js';

const CODES: readonly string[] = Object.values(HOLD);

/** How long an open hold is read from the store before it is read again (`turnkey retry` may clear one). */
const CACHE_MS = 1_000;

export interface Hold {
  subject: string;
  code: HoldCode;
  detail: string;
}

/**
 * The operator conditions in force, kept as problems of the sending area (so `turnkey status` shows
 * them with their fix). A transport account's hold (a refused login, a changed host key) covers the
 * senders that use it and is lifted by a login that works again (probed at most every `probeMs`, and
 * at start); a sender's hold (its certificate) is lifted by a restart, after the operator's fix.
 */
export class SendingHolds {
  private readonly openHolds: Statement;
  private cached: { at: number; holds: Hold[] } | null = null;
  private readonly lastProbe = new Map<string, number>();
  private probing = false;

  constructor(
    db: Database,
    private readonly problems: Problems,
    private readonly transports: readonly Pick<Transport, 'id' | 'link'>[],
    private readonly logger: Logger,
    private readonly probeMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.openHolds = db.prepare(`
      SELECT subject, code, detail FROM problems
       WHERE area = 'sending' AND resolved_at IS NULL AND code IN (${CODES.map(() => '?').join(', ')})`);
  }

  /** The hold that keeps `sender` from sending now, if any. */
  holding(sender: Sender): Hold | null {
    const subjects = new Set([transportSubject(sender.transport.id), senderSubject(sender)]);
    return this.all().find((h) => subjects.has(h.subject)) ?? null;
  }

  /** Transport accounts held, with their holds. */
  heldTransports(): Array<{ transportId: string; hold: Hold }> {
    return this.all().flatMap((hold) => {
      const id = /^transport (.+)$/.exec(hold.subject)?.[1];
      return id === undefined ? [] : [{ transportId: id, hold }];
    });
  }

  /** Held transport accounts whose probe is due try to log in; one that can is released. */
  async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      const due = this.heldTransports().filter((h) => this.probeDue(h.transportId));
      for (const { transportId, hold } of due) {
        const transport = this.transports.find((t) => t.id === transportId);
        if (!transport) continue;
        try {
          await transport.link.connect();
          this.releaseTransport(transportId);
        } catch (err) {
          this.logger.debug({ event: 'sending-hold-probe', transport: transportId, code: hold.code, err }, 'still held');
        }
      }
    } catch (err) {
      // Reading the holds failed (the store): tried again at the next tick.
      this.logger.warn({ event: 'sending-hold-probe-failed', err }, 'could not probe the held accounts');
    } finally {
      this.probing = false;
    }
  }

  /** Whether `link` is the SFTP link of a held transport account: results are not collected through it (a login would fail). */
  isHeldLink(link: unknown): boolean {
    const held = new Set(this.heldTransports().map((h) => h.transportId));
    return held.size > 0 && this.transports.some((t) => t.link === link && held.has(t.id));
  }

  /** Whether a held transport account may try to log in again now (and notes that it does). */
  private probeDue(transportId: string): boolean {
    const at = this.now();
    if (at - (this.lastProbe.get(transportId) ?? Number.NEGATIVE_INFINITY) < this.probeMs) return false;
    this.lastProbe.set(transportId, at);
    return true;
  }

  holdTransport(transportId: string, code: HoldCode, detail: string): void {
    this.raise(transportSubject(transportId), code, detail);
  }

  holdSender(sender: Sender, code: HoldCode, detail: string): void {
    this.raise(senderSubject(sender), code, detail);
  }

  /** The transport account logs in again: its holds are lifted. */
  releaseTransport(transportId: string): void {
    // A working SFTP login says nothing of the gateway's certificate: that hold is lifted by a restart
    // after the fix (or `turnkey retry --holds`).
    for (const code of [HOLD.loginRefused, HOLD.hostKeyChanged]) {
      if (this.problems.resolve(transportSubject(transportId), code)) {
        this.cached = null;
        this.logger.info({ event: 'sending-released', transport: transportId, code }, `transport account ${transportId} logs in again`);
      }
    }
  }

  /**
   * At start: a sender's holds and an untrusted gateway's are lifted, for the operator has
   * restarted after registering the certificate, configuring another, or giving the gateway's CA;
   * if the condition remains, the next pack raises the hold again. The other transport holds stay
   * until a login works (one is tried at once).
   */
  releaseSenders(): void {
    for (const hold of this.all()) {
      if (!hold.subject.startsWith('sender ') && hold.code !== HOLD.gatewayUntrusted) continue;
      if (this.problems.resolve(hold.subject, hold.code)) {
        this.cached = null;
        this.logger.info({ event: 'sending-released', subject: hold.subject, code: hold.code }, `${hold.subject}: sending again`);
      }
    }
  }

  private raise(subject: string, code: HoldCode, detail: string): void {
    if (this.problems.raise(subject, code, detail)) {
      this.logger.error({ event: 'sending-held', subject, code }, `sending held for ${subject}: ${detail}`);
    }
    this.cached = null;
  }

  private all(): Hold[] {
    const at = this.now();
    if (!this.cached || at - this.cached.at >= CACHE_MS) this.cached = { at, holds: this.openHolds.all(...CODES) as Hold[] };
    return this.cached.holds;
  }
}

function transportSubject(transportId: string): string {
  return `transport ${transportId}`;
}

function senderSubject(sender: Sender): string {
  return `sender ${sender.partyId}`;
}
