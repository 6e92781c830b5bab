import type { Database, Statement } from 'better-sqlite3';

export interface BreakerSettings {
  /** Consecutive platform failures that open the breaker. */
  failureThreshold: number;
  /** How long it stays open before one probe is let through; doubles after a failed probe. */
  openMs: number;
  maxOpenMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 5, openMs: 30_000, maxOpenMs: 10 * 60_000 };

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  openedAt: number | null;
  retryAt: number | null;
  lastErrorCode: string | null;
}

/**
 * Stops sending after consecutive platform failures, so an unannounced outage costs a few failed
 * attempts and not thousands; after a while one pack is let through as a probe. Its state is a row
 * in the store (visible to `turnkey status`, kept across restarts).
 */
export class CircuitBreaker {
  private readonly select: Statement;
  private readonly update: Statement;
  private probeInFlight = false;

  constructor(
    db: Database,
    private readonly settings: BreakerSettings = DEFAULT_BREAKER,
    private readonly now: () => number = Date.now,
  ) {
    this.select = db.prepare(`
      SELECT state, consecutive_failures AS consecutiveFailures, opened_at AS openedAt, retry_at AS retryAt,
             last_error_code AS lastErrorCode FROM circuit_breaker WHERE id = 1`);
    this.update = db.prepare(`
      UPDATE circuit_breaker SET state = @state, consecutive_failures = @consecutiveFailures, opened_at = @openedAt,
             retry_at = @retryAt, last_error_code = @lastErrorCode WHERE id = 1`);
  }

  snapshot(): BreakerSnapshot {
    return this.select.get() as BreakerSnapshot;
  }

  /** `attempt` when closed; `probe` for the one attempt let through after the open time; else `wait`. */
  permit(): 'attempt' | 'probe' | 'wait' {
    const s = this.snapshot();
    if (s.state === 'closed') return 'attempt';
    if (this.probeInFlight) return 'wait';
    if (s.state === 'open' && (s.retryAt ?? 0) > this.now()) return 'wait';
    // Open and due, or half-open left by a previous process: let one probe through.
    if (s.state === 'open') this.update.run({ ...s, state: 'half-open' });
    this.probeInFlight = true;
    return 'probe';
  }

  /** The platform answered (whatever it said). True when that ends an outage (the breaker was open). */
  succeeded(): boolean {
    this.probeInFlight = false;
    const s = this.snapshot();
    if (s.state === 'closed' && s.consecutiveFailures === 0) return false;
    this.update.run({ state: 'closed', consecutiveFailures: 0, openedAt: null, retryAt: null, lastErrorCode: null });
    return s.state !== 'closed';
  }

  /**
   * The probe let through ended without reaching the platform (its sender is held, a window began):
   * it tells nothing, so the next pack may probe.
   */
  release(): void {
    this.probeInFlight = false;
  }

  /** The platform could not be reached or did not answer properly. */
  failed(code: string): void {
    const wasProbe = this.probeInFlight;
    this.probeInFlight = false;
    const s = this.snapshot();
    const failures = s.consecutiveFailures + 1;
    const at = this.now();
    if (s.state === 'half-open' || wasProbe) {
      const previous = s.openedAt !== null && s.retryAt !== null ? s.retryAt - s.openedAt : this.settings.openMs;
      const window = Math.min(this.settings.maxOpenMs, previous * 2);
      this.update.run({ state: 'open', consecutiveFailures: failures, openedAt: at, retryAt: at + window, lastErrorCode: code });
    } else if (failures >= this.settings.failureThreshold) {
      this.update.run({
        state: 'open',
        consecutiveFailures: failures,
        openedAt: at,
        retryAt: at + this.settings.openMs,
        lastErrorCode: code,
      });
    } else {
      this.update.run({ ...s, consecutiveFailures: failures, lastErrorCode: code });
    }
  }
}
