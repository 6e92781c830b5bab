// The rest of this turn of the event loop goes to what waits for I/O (sockets, worker answers).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { IntakeSettings } from '../config/types.js';
import { IntakeJournal } from '../store/IntakeJournal.js';
import type { Store } from '../store/Store.js';
import { BatchPipeline } from './BatchPipeline.js';
import { BatchProcessor, type BatchOutcome, type IntakeRules } from './BatchProcessor.js';
import type { FileInspector } from './FileInspector.js';
import type { IntakeLayout } from './IntakeLayout.js';
import { SrcFinder } from './SrcFinder.js';
import { WorkRecovery } from './WorkRecovery.js';

/**
 * Filing left files in WORK (a folder refused them): they are tried again after `retryDelaySeconds`,
 * the delay doubling while the folder still refuses them, up to twelve times that (a minute by default).
 */
const REFILE_MAX_DELAY_FACTOR = 12;

/** Problem code (intake area) of intake stopped by an error of its own (the database, the disk). */
export const INTAKE_FAILED = 'intake-failed';

export interface IntakeTotals {
  claimed: number;
  accepted: number;
  invalid: number;
  duplicates: number;
  /** Files finished by recovery (left by a crash or a failed move). */
  recovered: number;
}

export interface IntakeServiceOptions {
  store: Store;
  /** Reads, hashes and validates claimed files (on this thread, or in worker threads). */
  inspector: FileInspector;
  layout: IntakeLayout;
  settings: IntakeSettings;
  logger: Logger;
  now?: () => number;
  /** Files watched for stability at once (default: enough for a second of full speed). */
  trackerCapacity?: number;
  /** Files waiting at which watching pauses (default 2,000). */
  watchPauseAt?: number;
  /** Told after messages were moved to `queued` (committed), so sending can cut a full pack at once. */
  onQueued?: () => void;
  /** The language of intake's own findings, and who may be sent for (default: English, any seller). */
  rules?: IntakeRules;
}

/**
 * The intake loop and its lifecycle. The rooms it runs: SrcFinder (what waits in SRC, and when it
 * is ready), BatchPipeline (batches claimed, inspected and committed), WorkRecovery (what a crash
 * or a refusing folder left), BatchProcessor (recording and filing one batch). A full rescan runs
 * at start-up and every `rescanIntervalSeconds` (the source of truth), and WORK is swept for
 * anything a crash or a locked file left there; recovery and sweeps run only with no batch in
 * flight, so they never take a file a batch holds. `stop()` waits for the batches in hand.
 */
export class IntakeService {
  readonly totals: IntakeTotals = { claimed: 0, accepted: 0, invalid: 0, duplicates: 0, recovered: 0 };
  private readonly processor: BatchProcessor;
  private readonly finder: SrcFinder;
  private readonly pipeline: BatchPipeline;
  private readonly recovery: WorkRecovery;
  private readonly now: () => number;
  private readonly retryMs: number;
  private loop: Promise<void> | null = null;
  private rescanTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private rescanDue = true;
  private sweepWorkAt: number | null = null;
  private recoveryDue = false;
  private wake: (() => void) | null = null;
  /** The processor's queued count when sending was last told. */
  private queuedTold = 0;
  /** When files left in WORK by a folder that refused them are filed again; null: none waits. */
  private refileAt: number | null = null;
  private refileDelayMs: number;
  /** The code of the last failure logged with its stack (the same failure again is not). */
  private lastFailure: string | null = null;

  constructor(private readonly options: IntakeServiceOptions) {
    const { settings, store, logger } = options;
    this.now = options.now ?? Date.now;
    this.retryMs = settings.retryDelaySeconds * 1000;
    this.refileDelayMs = this.retryMs;
    // Both give-up times come from the intake settings: the finder's claim problem, the processor's unreadable file.
    const rules: IntakeRules = { ...options.rules, unreadableGiveUpMs: settings.unreadableGiveUpSeconds * 1000 };
    this.processor = new BatchProcessor(store, options.inspector, options.layout, logger, this.now, rules);
    this.finder = new SrcFinder({
      layout: options.layout,
      settings,
      logger,
      problems: this.processor.problems,
      now: this.now,
      ...(options.trackerCapacity !== undefined && { trackerCapacity: options.trackerCapacity }),
      ...(options.watchPauseAt !== undefined && { watchPauseAt: options.watchPauseAt }),
      onNews: () => this.wake?.(),
      onRescanNeeded: () => {
        this.rescanDue = true;
        this.wake?.();
      },
    });
    const count = (outcome: BatchOutcome): void => this.count(outcome);
    this.pipeline = new BatchPipeline(this.finder, this.processor, (outcome, claimed) => {
      this.totals.claimed += claimed;
      this.count(outcome);
    });
    this.recovery = new WorkRecovery(
      this.processor,
      new IntakeJournal(store.db, this.now),
      options.layout,
      settings.batchSize,
      logger,
      count,
    );
  }

  /** Files seen in SRC and not yet taken (those beyond the tracker's room are not counted). */
  get backlog(): number {
    return this.finder.backlog;
  }

  /**
   * Creates missing folders, finishes what a previous run left (journal rows not filed, files in
   * WORK), then starts watching and the loop. Resolves once intake is running.
   */
  async start(): Promise<{ recovered: number }> {
    if (this.loop) throw new Error('intake is already started');
    this.loop = Promise.resolve();
    this.finder.ensureFolders();
    const recovered = await this.recover();
    await this.finder.start();
    this.rescanTimer = setInterval(() => {
      this.rescanDue = true;
      this.wake?.();
    }, this.options.settings.rescanIntervalSeconds * 1000);
    this.loop = this.run();
    return { recovered };
  }

  /** Stops taking files; resolves when the batch in hand is finished and watching has stopped. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.rescanTimer = null;
    this.wake?.();
    await this.loop;
    await this.finder.close();
  }

  /**
   * Finishes what a crash left: journal rows whose file was not confirmed filed, then every file
   * in WORK (recorded ones are moved, unrecorded ones processed afresh). Repeatable.
   */
  async recover(): Promise<number> {
    const done = await this.recovery.recover();
    this.totals.recovered += done;
    return done;
  }

  private async run(): Promise<void> {
    // The first batch runs on a later turn: start() returns (and the daemon says `running`) first.
    await nextTurn();
    while (!this.stopping) {
      let worked: boolean;
      try {
        await this.maintain();
        worked = await this.pipeline.step();
        this.finder.scanIfNeeded();
        this.tellQueued();
        this.recovered();
      } catch (err) {
        // A store or disk failure (not bad input): log it, wait, and let recovery repeat the batch.
        this.failed(err);
        this.pipeline.drop();
        this.rescanDue = true;
        this.recoveryDue = true;
        await this.sleep(this.retryMs);
        continue;
      }
      // Yield between batches so timers, signals and file-system events get their turn.
      if (worked) await nextTurn();
      else {
        this.settleLastBatch();
        await this.sleep(this.idleDelay());
      }
    }
    try {
      await this.pipeline.finish();
    } catch (err) {
      this.options.logger.error({ event: 'intake-error', err }, 'the last batch could not be finished; recovery will repeat it');
      this.pipeline.drop();
    }
    await this.pipeline.settle(); // no claim is left under way when the workers are closed
    this.settleLastBatch();
  }

  /** Recovery, WORK sweeps, rescans and refiles that are due: each with no batch in flight. */
  private async maintain(): Promise<void> {
    const sweepDue = this.sweepWorkAt !== null && this.now() >= this.sweepWorkAt;
    if (this.recoveryDue || sweepDue || this.rescanDue) {
      // WORK must hold only what no batch holds before it is swept.
      await this.pipeline.finish();
      if (this.recoveryDue) {
        this.recoveryDue = false;
        await this.pipeline.settle();
        await this.recover();
      }
      if (this.sweepWorkAt !== null && this.now() >= this.sweepWorkAt) {
        this.sweepWorkAt = null;
        this.totals.recovered += await this.recovery.sweepWork();
      }
      if (this.rescanDue) {
        this.rescanDue = false;
        this.finder.ensureFolders();
        this.finder.scan();
        this.totals.recovered += await this.recovery.sweepWork();
      }
    }
    if (this.refileDue()) {
      await this.pipeline.finish();
      this.recovery.refileJournal();
      this.refileAt = null;
      this.refileDelayMs = this.processor.filingPending
        ? Math.min(this.retryMs * REFILE_MAX_DELAY_FACTOR, this.refileDelayMs * 2)
        : this.retryMs;
    }
  }

  /** Files left in WORK by a folder that refused them wait for their next try. */
  private refileDue(): boolean {
    if (this.processor.filingPending && this.refileAt === null) this.refileAt = this.now() + this.refileDelayMs;
    return this.refileAt !== null && this.now() >= this.refileAt;
  }

  private count(outcome: BatchOutcome): void {
    this.totals.accepted += outcome.accepted;
    this.totals.invalid += outcome.invalid;
    this.totals.duplicates += outcome.duplicates;
    if (outcome.deferred.length > 0) this.sweepWorkAt ??= this.now() + this.retryMs;
  }

  /**
   * A failure of the whole step (the database, or the disk under it): logged with its stack the
   * first time, then quietly while the same failure repeats; a problem for `turnkey status` when
   * the store can still record it.
   */
  private failed(err: unknown): void {
    const code = (err as { code?: unknown }).code;
    const key = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
    if (key === this.lastFailure) {
      this.options.logger.debug({ event: 'intake-error', code: key }, 'intake failed again');
      return;
    }
    this.lastFailure = key;
    this.options.logger.error({ event: 'intake-error', err }, 'intake failed; retrying after a pause');
    try {
      this.processor.problems.raise(
        'intake',
        INTAKE_FAILED,
        `${key}: intake stopped on an error and retries every ${this.retryMs / 1000} s (see the log)`,
      );
    } catch {
      // the store may be what failed
    }
  }

  /** A step went through after a failure: the failure's problem is over. */
  private recovered(): void {
    if (this.lastFailure === null) return;
    this.lastFailure = null;
    if (this.processor.problems.resolve('intake', INTAKE_FAILED))
      this.options.logger.info({ event: 'intake-resumed' }, 'intake works again');
  }

  /** Settles the last batch before waiting or stopping (if that fails, recovery repeats it). */
  private settleLastBatch(): void {
    try {
      this.processor.flush();
      this.tellQueued();
    } catch (err) {
      this.options.logger.error({ event: 'intake-error', err }, 'settling the last batch failed; recovery will repeat it');
      this.recoveryDue = true;
    }
  }

  private tellQueued(): void {
    if (this.processor.queuedTotal === this.queuedTold) return;
    this.queuedTold = this.processor.queuedTotal;
    this.options.onQueued?.();
  }

  private idleDelay(): number {
    const next = this.finder.nextDueAt();
    const candidates = [1000];
    if (next !== undefined) candidates.push(Math.max(5, next - this.now()));
    if (this.sweepWorkAt !== null) candidates.push(Math.max(5, this.sweepWorkAt - this.now()));
    if (this.refileAt !== null) candidates.push(Math.max(5, this.refileAt - this.now()));
    return Math.min(...candidates);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolveSleep) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolveSleep();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolveSleep();
      };
    });
  }
}
