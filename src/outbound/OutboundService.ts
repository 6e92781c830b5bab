import type { Logger } from 'pino';
import type { PackRow } from '../store/PackTransitions.js';
import type { OutboundQueries } from '../store/OutboundQueries.js';
import type { PackTransitions } from '../store/PackTransitions.js';
import type { Problems } from '../store/Problems.js';
import type { ResultCollector } from '../results/ResultCollector.js';
import type { DownCastWriter } from '../results/DownCastWriter.js';
import { StoreError } from '../store/StoreError.js';
import { TransportError } from '../transport/TransportError.js';
import type { GateView, SendingGate } from '../schedule/SendingGate.js';
import type { CircuitBreaker } from './CircuitBreaker.js';
import type { SendingHolds } from './SendingHolds.js';
import type { ResultDeferral } from './ResultDeferral.js';
import type { Packer } from './Packer.js';
import type { PackSender } from './PackSender.js';

/** Problem code (results area) of a DownCast folder that refuses the ERP's result files. */
export const DOWNCAST_FAILED = 'downcast-failed';

/** After a window, results wait for the backlog to be sent at most this long. */
const CATCH_UP_MAX_MS = 10 * 60_000;

export interface OutboundLoopSettings {
  /** Packs moved forward at once (uploads and notifications in flight). */
  concurrency: number;
  /** How often queued messages are looked at for packing and due packs for sending. */
  tickMs: number;
  /** How often out/ is polled for results; after each accepted notification it is polled sooner. */
  resultPollMs: number;
  resultPollSoonMs: number;
}

/**
 * The sending side of the daemon: cuts packs, moves due packs forward with bounded concurrency
 * (behind the circuit breaker), collects results and writes the ERP's DownCast files. Everything
 * it decides is read from the store on each tick (due times, breaker state), so a restart simply
 * carries on; nothing is remembered only in memory except what is in flight.
 */
export class OutboundService {
  private readonly inFlight = new Map<number, Promise<void>>();
  private tickTimer: NodeJS.Timeout | null = null;
  private nextResultPollAt = 0;
  /** Polls in a row that found nothing while packs were waiting: the poll interval backs off. */
  private emptyPolls = 0;
  private collecting: Promise<void> | null = null;
  /** The start's pass over results received but not applied: nothing is sent before it ends. */
  private recovering: Promise<void> | null = null;
  private ticking = false;
  private wakeScheduled = false;
  private stopped = false;
  /** Per stage of the tick, the failure last logged with its stack (the same one again is logged quietly). */
  private readonly lastFailures = new Map<string, string>();

  constructor(
    private readonly settings: OutboundLoopSettings,
    private readonly queries: OutboundQueries,
    private readonly packs: PackTransitions,
    private readonly packer: Packer,
    private readonly sender: PackSender,
    private readonly breaker: CircuitBreaker,
    private readonly collector: ResultCollector,
    private readonly downCast: DownCastWriter,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly resultDeferral: ResultDeferral | null = null,
    /** The results area's open problems (a DownCast folder that refuses files). */
    private readonly problems: Problems,
    private readonly gate: Pick<SendingGate, 'update' | 'probeStarted'>,
    private readonly holds: Pick<SendingHolds, 'probe' | 'isHeldLink'>,
  ) {}

  /** Set when sending resumes after a window: results wait until the backlog is sent. */
  private catchingUpSince: number | null = null;
  private wasSending = true;

  /** Start-up recovery, then the loop (its first tick once the results in hand are applied). */
  start(): void {
    this.recover();
    this.tickTimer = setInterval(() => void this.tick(), this.settings.tickMs);
  }

  /**
   * Messages were queued: look soon rather than at the next tick, so that a pack that just filled
   * is cut and sent at once (a tick under way is not repeated). The tick gets a turn of its own
   * (intake's commit does not grow by a pack's signing), and wakes before it come to one tick.
   */
  wake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      void this.tick();
    });
  }

  /** Results are expected soon: poll out/ shortly. */
  pollResultsSoon(): void {
    this.emptyPolls = 0;
    this.nextResultPollAt = Math.min(this.nextResultPollAt, this.now() + this.settings.resultPollSoonMs);
  }

  /** Stops starting work and waits for what is in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    await Promise.allSettled([...this.inFlight.values(), this.collecting ?? Promise.resolve(), this.recovering ?? Promise.resolve()]);
  }

  private recover(): void {
    // An attempt left under way by a killed process: an upload is simply made again; a
    // notification may have reached the platform, so its pack is treated as unknown.
    for (const attempt of this.queries.attemptsLeftUnderWay()) {
      this.packs.endAttempt(attempt.attemptId, 'unknown', { errorCode: 'process-ended', detail: 'the process ended during this attempt' });
      const pack = this.queries.packById(attempt.packId);
      if (attempt.stage === 'notify' && pack?.state === 'file-uploaded') {
        this.packs.unknown(pack.id, 'file-uploaded', this.now(), 'process-ended', 'the process ended while notifying the gateway');
      }
    }
    const removed = this.packer.removeUnrecordedFiles();
    if (removed > 0) this.logger.info({ event: 'outbox-cleaned', removed }, 'removed signed files of packs never recorded');
    // Results received but not applied (a kill between the two) are applied before the first tick:
    // a pack whose result is in hand is not sent or notified again.
    this.recovering = this.collector
      .applyPending()
      .catch((err: unknown) =>
        this.logger.warn({ event: 'result-apply-failed', err }, 'could not apply received results; trying again at the next collection'),
      )
      .finally(() => {
        this.recovering = null;
        void this.tick();
      });
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.ticking || this.recovering) return;
    this.ticking = true;
    try {
      // Each stage on its own: a failure in one (a disk error while packing, say) never keeps the
      // others (sending what is packed, writing DownCast files, collecting results) from running.
      // Packing and the ERP's DownCast files are local and go on in a window; talking to the platform does not.
      const view = this.gateView();
      this.stage('pack', () => this.packer.cutDuePacks());
      this.stage('send', () => this.send(view));
      // A held account tries to log in again now and then, but never inside a window.
      if (view.state === 'sending') this.stage('holds', () => void this.holds.probe());
      if (this.resultDeferral?.defer(this.now())) return;
      this.stage('downcast', () => this.writeDownCast());
      this.stage('results', () => {
        if (view.state !== 'sending' || this.catchingUp()) return;
        if (this.now() >= this.nextResultPollAt && !this.collecting) {
          this.nextResultPollAt = Number.POSITIVE_INFINITY; // set when this poll ends
          this.collecting = this.collectResults().finally(() => (this.collecting = null));
        }
      });
    } finally {
      this.ticking = false;
    }
  }

  /** DownCast files; a folder that refuses them is a problem for the operator (logged once), the rest are written. */
  private writeDownCast(): void {
    const written = new Set<string>();
    const refused = new Set<string>();
    this.downCast.writePending(
      (folder, err) => {
        refused.add(folder);
        const e = err as NodeJS.ErrnoException;
        const detail =
          `${e.code ?? 'error'}: the ERP's result files cannot be written in ${folder} (${e.message}); they are written ` +
          `once it can be`;
        if (this.problems.raise(folder, DOWNCAST_FAILED, detail))
          this.logger.error({ event: 'downcast-failed', folder, code: e.code }, detail);
      },
      (folder) => written.add(folder),
    );
    for (const folder of written) {
      if (!refused.has(folder) && this.problems.resolve(folder, DOWNCAST_FAILED))
        this.logger.info({ event: 'downcast-resumed', folder }, `${folder} takes result files again`);
    }
  }

  private stage(name: string, work: () => unknown): void {
    try {
      work();
      this.lastFailures.delete(name);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const key = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
      if (this.lastFailures.get(name) === key) {
        this.logger.debug({ event: 'outbound-tick-failed', stage: name, code: key }, `the outbound ${name} stage failed again`);
        return;
      }
      this.lastFailures.set(name, key);
      this.logger.error(
        { event: 'outbound-tick-failed', stage: name, err },
        `the outbound ${name} stage hit an error; it carries on at the next tick`,
      );
    }
  }

  /** What the maintenance windows allow now; a gate that cannot be read lets sending go on (the platform decides). */
  private gateView(): GateView {
    let view: GateView = { state: 'sending' };
    this.stage('gate', () => (view = this.gate.update()));
    const sending = view.state === 'sending';
    if (sending && !this.wasSending) {
      this.catchingUpSince = this.now();
      // The window's time counts against no pack's age budget.
      this.packs.restartAgeBudgets();
    }
    this.wasSending = sending;
    return view;
  }

  private send(view: GateView): void {
    if (view.state === 'sending') {
      this.startDuePacks();
    } else if (view.state === 'paused' && view.probe && this.inFlight.size === 0) {
      // The platform's own window has no end: one pack now and then tells when it answers again.
      const [probe] = this.queries.duePacks(this.now(), 1);
      if (probe) {
        this.gate.probeStarted();
        this.launch(probe);
      }
    }
  }

  /** After a window the backlog is sent first, at full speed; results are polled once it is (or after a while). */
  private catchingUp(): boolean {
    if (this.catchingUpSince === null) return false;
    const backlog = this.inFlight.size > 0 || this.queries.duePacks(this.now(), 1).length > 0;
    if (backlog && this.now() - this.catchingUpSince < CATCH_UP_MAX_MS) return true;
    this.catchingUpSince = null;
    this.pollResultsSoon();
    return false;
  }

  private startDuePacks(): void {
    // Asked again each time (a slot freed by a finished pack may come after a window began).
    if (this.gate.update().state !== 'sending') return;
    const free = this.settings.concurrency - this.inFlight.size;
    if (free <= 0) return;
    const due = this.queries.duePacks(this.now(), this.settings.concurrency * 2).filter((p) => !this.inFlight.has(p.id));
    for (const pack of due.slice(0, free)) {
      const permit = this.breaker.permit();
      if (permit === 'wait') return;
      this.launch(pack, permit === 'probe');
      if (permit === 'probe') return; // one probe at a time while the breaker is not closed
    }
  }

  /** `probe`: the breaker's one attempt; one that ends without reaching the platform frees the breaker for another. */
  private launch(pack: PackRow, probe = false): void {
    const run = this.sender
      .advance(pack)
      .catch((err) => {
        if (err instanceof StoreError && err.code === 'pack-moved-on') {
          // Its result came while this attempt was in flight (an answer after a timeout, say): the pack moved on, as it should.
          this.logger.info({ event: 'pack-overtaken', pack: pack.commonName, detail: err.message }, 'the pack moved on during the attempt');
          return;
        }
        this.logger.error(
          { event: 'pack-advance-failed', pack: pack.commonName, err },
          'moving a pack forward failed; it is retried at its next due time',
        );
      })
      .finally(() => {
        if (probe) this.breaker.release();
        this.inFlight.delete(pack.id);
        // A freed slot is used at once rather than at the next tick.
        if (!this.stopped) this.startDuePacks();
      });
    this.inFlight.set(pack.id, run);
  }

  /**
   * While packs wait for results, out/ is polled soon and then less and less often (doubling up to
   * the normal interval); with nothing waiting, at the normal interval.
   */
  private async collectResults(): Promise<void> {
    let taken = 0;
    try {
      // A held account is not logged into for results either (a refused login again and again may lock it).
      taken = await this.collector.collect((link) => this.holds.isHeldLink(link));
    } catch (err) {
      const code = err instanceof TransportError ? err.code : 'result-collection';
      this.logger.warn(
        { event: 'result-poll-failed', code, err: err instanceof TransportError ? err.message : err },
        'could not collect results; trying again later',
      );
    } finally {
      this.emptyPolls = taken > 0 ? 0 : this.emptyPolls + 1;
      const { resultPollMs, resultPollSoonMs } = this.settings;
      const interval =
        this.queries.packsAwaitingResults() > 0
          ? Math.min(resultPollMs, resultPollSoonMs * 2 ** Math.min(this.emptyPolls, 16))
          : resultPollMs;
      this.nextResultPollAt = Math.min(this.nextResultPollAt, this.now() + interval);
    }
  }
}
