import { isUtf8 } from 'node:buffer';
import { existsSync, lstatSync, opendirSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
// The rest of this turn of the event loop goes to what waits for I/O (sockets, worker answers).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { IntakeSettings } from '../config/types.js';
import { IntakeJournal } from '../store/IntakeJournal.js';
import type { Store } from '../store/Store.js';
import { BatchProcessor, type BatchOutcome, type ClaimedFile, type IntakeRules } from './BatchProcessor.js';
import type { FileInspector } from './FileInspector.js';
import type { InspectedFile } from './inspectFile.js';
import { readableName } from '../fs/portableName.js';
import { outboundMessages } from '../mig/catalog.js';
import { claimNameFor, isIgnoredName, originalNameOf } from './fileNames.js';
import { isTransientFsError } from './fsErrors.js';
import type { IntakeLayout, TypeFolders } from './IntakeLayout.js';
import { StabilityTracker } from './StabilityTracker.js';
import { SrcWatcher } from './SrcWatcher.js';

/** A batch never holds more than this many bytes of file content in memory (at least one file). */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

/**
 * Batches claimed and being inspected beyond the one being committed: with two, the inspector
 * always has the next batch in hand when it finishes one, and the commit finds its batch ready.
 */
const PIPELINE_DEPTH = 2;

/** Files watched for stability at once; the rest wait in SRC for the next scan. */
const TRACKER_MIN_CAPACITY = 20_000;

/**
 * With more files than this waiting, watching pauses (see pauseWatching) and scans take over;
 * it resumes once a scan finds fewer than half as many.
 */
const WATCH_PAUSE_AT = 2_000;

/**
 * While watching is paused, SRC is listed at most this often between batches once the files in
 * hand run low, and at least this often otherwise (each scan lists the whole folder: during a burst
 * of tens of thousands of files, listing it twice a second cost a tenth of intake's thread, and a
 * newcomer found sooner would still wait behind the older files in hand).
 */
const PAUSED_SCAN_INTERVAL_MS = 500;
const PAUSED_SCAN_MAX_INTERVAL_MS = 5_000;

/** A file that cannot be claimed from SRC for this long is a problem for the operator (logged once). */
const CLAIM_PROBLEM_AFTER_MS = 60_000;

/**
 * Filing left files in WORK (a folder refused them): they are tried again after `retryDelaySeconds`,
 * the delay doubling while the folder still refuses them, up to twelve times that (a minute by default).
 */
const REFILE_MAX_DELAY_FACTOR = 12;

/** Problem codes of intake (besides filing-failed, raised by the BatchProcessor). */
export const CLAIM_REFUSED = 'claim-refused';
export const FOLDER_UNUSABLE = 'folder-unusable';
export const INTAKE_FAILED = 'intake-failed';

/** A file still in SRC, to be claimed by the inspector. */
type FileToClaim = ClaimedFile & { srcPath: string };

/** A batch whose claiming and inspection are under way. */
interface InFlightBatch {
  files: FileToClaim[];
  inspected: Promise<InspectedFile[]>;
}

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
 * The intake loop. File-system events and scans feed candidates to the stability tracker; files
 * stable long enough are claimed (renamed SRC → WORK) a batch at a time and handed to the
 * BatchProcessor. A full rescan runs at start-up and every `rescanIntervalSeconds` (the source of
 * truth), and WORK is swept for anything a crash or a locked file left there.
 *
 * Batches are pipelined: the next batches are claimed (in the inspector's threads) and inspected
 * while the current one is committed, so claiming and validation overlap recording and filing
 * (here). Committing a batch (record, move, fsync) is synchronous, one loop turn; `stop()` waits
 * for the batches in hand.
 * Recovery and WORK sweeps run only with no batch in flight, so they never take a file that a
 * batch holds.
 */
export class IntakeService {
  readonly totals: IntakeTotals = { claimed: 0, accepted: 0, invalid: 0, duplicates: 0, recovered: 0 };
  private readonly tracker: StabilityTracker;
  private readonly processor: BatchProcessor;
  private readonly journal: IntakeJournal;
  private readonly srcToFolder: Map<string, TypeFolders>;
  private readonly now: () => number;
  private readonly retryMs: number;
  private readonly pauseAt: number;
  private watcher: SrcWatcher | null = null;
  private loop: Promise<void> | null = null;
  private rescanTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private rescanDue = true;
  private sweepWorkAt: number | null = null;
  private recoveryDue = false;
  /** Candidates were dropped because the tracker was full: scan again once it drains. */
  private overflow = false;
  private wake: (() => void) | null = null;
  /** Watching is paused while SRC holds more files than the tracker (see pauseWatching). */
  private watchPaused = false;
  private watchResuming = false;
  private watcherClosing: Promise<void> = Promise.resolve();
  private lastScanAt = 0;
  /** Claimed and being inspected, oldest first; each step commits the oldest. */
  private readonly ahead: InFlightBatch[] = [];
  /** SRC paths of the batches in flight, not yet claimed for sure: scans must not offer them. */
  private readonly claiming = new Set<string>();
  /** Inspections of batches dropped after a failure, perhaps still claiming files. */
  private readonly abandoned: Array<Promise<unknown>> = [];
  /** The processor's queued count when sending was last told. */
  private queuedTold = 0;
  /** Types whose folders exist (or could be created); the others are retried at each rescan. */
  private readonly usable = new Set<TypeFolders>();
  /** SRC entries whose name is not UTF-8: a readable stand-in key → the path as bytes. */
  private readonly rawPaths = new Map<string, Buffer>();
  /** SRC entries that could not be claimed: since when, and in which type's folder. */
  private readonly refusedSince = new Map<string, { since: number; folder: TypeFolders }>();
  /** When files left in WORK by a folder that refused them are filed again; null: none waits. */
  private refileAt: number | null = null;
  private refileDelayMs: number;
  /** The code of the last failure logged with its stack (the same failure again is not). */
  private lastFailure: string | null = null;

  constructor(private readonly options: IntakeServiceOptions) {
    const { settings } = options;
    this.now = options.now ?? Date.now;
    this.retryMs = settings.retryDelaySeconds * 1000;
    this.refileDelayMs = this.retryMs;
    this.pauseAt = options.watchPauseAt ?? WATCH_PAUSE_AT;
    // Room for every file arriving during one stability wait at full speed, so that waiting for
    // stability overlaps with processing instead of stalling it (~200 bytes per tracked file).
    this.tracker = new StabilityTracker(Math.round(settings.stabilitySeconds * 1000), options.trackerCapacity ?? Math.max(4 * settings.batchSize, TRACKER_MIN_CAPACITY));
    this.processor = new BatchProcessor(options.store, options.inspector, options.layout, options.logger, this.now, options.rules);
    this.journal = new IntakeJournal(options.store.db, this.now);
    this.srcToFolder = new Map(options.layout.folders.map((f) => [resolve(f.src), f]));
  }

  /** Files seen in SRC and not yet taken (those beyond the tracker's room are not counted). */
  get backlog(): number {
    return this.tracker.size + this.claiming.size;
  }

  /**
   * Creates missing folders, finishes what a previous run left (journal rows not filed, files in
   * WORK), then starts watching and the loop. Resolves once intake is running.
   */
  async start(): Promise<{ recovered: number }> {
    if (this.loop) throw new Error('intake is already started');
    this.ensureFolders();
    const recovered = await this.recover();
    if (this.options.settings.watch) this.watcher = await this.startWatcher();
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
    await this.watcher?.close();
    this.watcher = null;
    await this.watcherClosing;
  }

  /**
   * Finishes what a crash left: journal rows whose file was not confirmed filed, then every file
   * in WORK (recorded ones are moved, unrecorded ones processed afresh). Repeatable.
   */
  async recover(): Promise<number> {
    let done = this.refileJournal();
    done += await this.sweepWork();
    this.totals.recovered += done;
    if (done > 0) this.options.logger.info({ event: 'intake-recovered', files: done }, 'finished files left by an earlier run');
    return done;
  }

  /** Files whose journal row is not filed (a crash, or a folder that refused them) are moved again. */
  private refileJournal(): number {
    this.processor.filingPending = false;
    let done = 0;
    let after = 0;
    for (;;) {
      const rows = this.journal.unfiled(after, this.options.settings.batchSize);
      if (rows.length === 0) break;
      done += this.processor.refile(rows);
      after = rows[rows.length - 1]!.id;
    }
    return done;
  }

  /**
   * Creates the folders of every enabled type. A type whose folders cannot be made (a file where
   * SRC should be, no permission) is a problem for the operator; the other types go on, and it is
   * tried again at every rescan.
   */
  private ensureFolders(): void {
    for (const folder of this.options.layout.folders) {
      if (this.usable.has(folder)) continue;
      try {
        this.options.layout.ensureFolders(folder);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const detail = `${e.code ?? 'error'}: the folders of ${folder.base} cannot be created (${e.message}); its files are not taken until they can`;
        if (this.processor.problems.raise(folder.base, FOLDER_UNUSABLE, detail)) {
          this.options.logger.error({ event: 'folder-unusable', folder: folder.base, code: e.code }, detail);
        }
        continue;
      }
      this.usable.add(folder);
      if (this.processor.problems.resolve(folder.base, FOLDER_UNUSABLE)) {
        this.options.logger.info({ event: 'folder-usable', folder: folder.base }, `${folder.base} is usable again`);
      }
    }
  }

  private async run(): Promise<void> {
    // The first batch runs on a later turn: start() returns (and the daemon says `running`) first.
    await nextTurn();
    while (!this.stopping) {
      let worked = false;
      try {
        const sweepDue = this.sweepWorkAt !== null && this.now() >= this.sweepWorkAt;
        if (this.recoveryDue || sweepDue || this.rescanDue) {
          // WORK must hold only what no batch holds before it is swept.
          await this.finishAhead();
          if (this.recoveryDue) {
            this.recoveryDue = false;
            await this.settleAbandoned();
            await this.recover();
          }
          if (this.sweepWorkAt !== null && this.now() >= this.sweepWorkAt) {
            this.sweepWorkAt = null;
            this.totals.recovered += await this.sweepWork();
          }
          if (this.rescanDue) {
            this.rescanDue = false;
            this.ensureFolders();
            this.scanSrc();
            this.totals.recovered += await this.sweepWork();
          }
        }
        if (this.refileDue()) {
          await this.finishAhead();
          this.refileJournal();
          this.refileAt = null;
          this.refileDelayMs = this.processor.filingPending ? Math.min(this.retryMs * REFILE_MAX_DELAY_FACTOR, this.refileDelayMs * 2) : this.retryMs;
        }
        worked = await this.step();
        this.tellQueued();
        if (this.lastFailure !== null) {
          this.lastFailure = null;
          if (this.processor.problems.resolve('intake', INTAKE_FAILED)) this.options.logger.info({ event: 'intake-resumed' }, 'intake works again');
        }
      } catch (err) {
        // A store or disk failure (not bad input): log it, wait, and let recovery repeat the batch.
        this.failed(err);
        this.dropAhead();
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
      await this.finishAhead();
    } catch (err) {
      this.options.logger.error({ event: 'intake-error', err }, 'the last batch could not be finished; recovery will repeat it');
      this.dropAhead();
    }
    await this.settleAbandoned(); // no claim is left under way when the workers are closed
    this.settleLastBatch();
  }

  /** Files left in WORK by a folder that refused them wait for their next try. */
  private refileDue(): boolean {
    if (this.processor.filingPending && this.refileAt === null) this.refileAt = this.now() + this.refileDelayMs;
    return this.refileAt !== null && this.now() >= this.refileAt;
  }

  /**
   * A failure of the whole step (the database, or the disk under it): logged with its stack the
   * first time, then quietly while the same failure repeats; a problem for `turnkey status` when
   * the store can still record it.
   */
  private failed(err: unknown): void {
    const code = (err as { code?: unknown }).code;
    const key = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
    if (key !== this.lastFailure) {
      this.lastFailure = key;
      this.options.logger.error({ event: 'intake-error', err }, 'intake failed; retrying after a pause');
      try {
        this.processor.problems.raise('intake', INTAKE_FAILED, `${key}: intake stopped on an error and retries every ${this.retryMs / 1000} s (see the log)`);
      } catch {
        // the store may be what failed
      }
    } else {
      this.options.logger.debug({ event: 'intake-error', code: key }, 'intake failed again');
    }
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

  /**
   * One pipeline step: claim ready files and start inspecting them until PIPELINE_DEPTH batches are
   * in the inspector's hands besides the oldest, then commit the oldest. False when there was
   * nothing to claim or commit.
   */
  private async step(): Promise<boolean> {
    while (this.ahead.length <= PIPELINE_DEPTH) {
      const next = this.claimNext();
      if (!next) break;
      this.ahead.push(next);
    }
    const current = this.ahead.shift();
    if (current) {
      // A turn of the event loop between claiming and committing: uploads and gateway answers
      // waiting for this thread are handled between the two, not after the whole step.
      await nextTurn();
      await this.commit(current);
    }
    // Files known to wait beyond the tracker: refill it. Nobody watching: look for new files now
    // and then (each scan lists the whole folder, so not after every batch).
    const roomy = this.tracker.size < this.tracker.capacity * 0.75;
    if (roomy && (this.overflow || this.pausedScanDue())) this.scanSrc();
    return current !== undefined || this.ahead.length > 0;
  }

  /** Watching is paused and the files in hand are running low (or the last scan is long past). */
  private pausedScanDue(): boolean {
    if (!this.watchPaused) return false;
    const since = this.now() - this.lastScanAt;
    const lowWater = Math.max(this.pauseAt, (PIPELINE_DEPTH + 2) * this.options.settings.batchSize);
    return since >= PAUSED_SCAN_MAX_INTERVAL_MS || (since >= PAUSED_SCAN_INTERVAL_MS && this.tracker.size < lowWater);
  }

  /**
   * Starts claiming (SRC → WORK) and inspecting the ready files, in the inspector's threads; null
   * when none was ready. Until the batch is committed its files are out of the tracker and marked
   * as being claimed, so that no scan offers them again.
   */
  private claimNext(): InFlightBatch | null {
    const ready = this.collectReady();
    if (ready.length === 0) return null;
    const files: FileToClaim[] = ready.map(({ path, folder }) => {
      const originalName = nameOfKey(path);
      const claimName = claimNameFor(originalName);
      const srcBytes = this.rawPaths.get(path);
      return { folder, claimName, originalName, workPath: folder.work + sep + claimName, srcPath: path, ...(srcBytes && { srcBytes }) };
    });
    for (const file of files) {
      this.tracker.forget(file.srcPath);
      this.claiming.add(file.srcPath);
    }
    const inspected = this.processor.inspect(files);
    inspected.catch(() => undefined); // awaited by commit; this only keeps an early failure from being "unhandled"
    return { files, inspected };
  }

  private async commit(batch: InFlightBatch): Promise<void> {
    let results: InspectedFile[];
    try {
      results = await batch.inspected;
    } finally {
      for (const file of batch.files) this.claiming.delete(file.srcPath);
    }
    const now = this.now();
    const claimedIn = new Set<TypeFolders>();
    results.forEach((result, i) => {
      const file = batch.files[i]!;
      if (result.kind === 'unclaimed' && result.code !== 'ENOENT') return this.claimRefused(file, result.code, now);
      this.refusedSince.delete(file.srcPath);
      this.rawPaths.delete(file.srcPath);
      if (result.kind !== 'unclaimed') claimedIn.add(file.folder);
    });
    for (const folder of claimedIn) this.resolveClaimProblem(folder);
    const outcome = this.processor.commit(batch.files, results);
    this.totals.claimed += results.filter((r) => r.kind !== 'unclaimed').length;
    this.count(outcome);
  }

  /**
   * A file that could not be claimed (locked by its writer on Windows, or SRC not writable for the
   * daemon's user): looked at again later. One that stays so is a problem for the operator,
   * logged once for its folder.
   */
  private claimRefused(file: FileToClaim, code: string | undefined, now: number): void {
    if (this.offer(file.srcPath)) this.tracker.deferUntil(file.srcPath, now + this.retryMs);
    const refused = this.refusedSince.get(file.srcPath) ?? { since: now, folder: file.folder };
    this.refusedSince.set(file.srcPath, refused);
    const subject = `${file.folder.base}/SRC`;
    if (now - refused.since < CLAIM_PROBLEM_AFTER_MS) {
      this.options.logger.debug({ event: 'claim-deferred', file: file.originalName, folder: file.folder.base, code }, 'a file could not be claimed now; it will be tried again');
      return;
    }
    const fix = isTransientFsError({ code })
      ? 'another program holds it open, or the daemon\'s user may not move files out of SRC: check who has it open and the permissions of SRC'
      : 'check the permissions of SRC and of WORK beside it';
    const detail = `${code ?? 'error'}: ${file.originalName} cannot be taken from SRC for ${Math.round((now - refused.since) / 1000)} s; ${fix}`;
    if (this.processor.problems.raise(subject, CLAIM_REFUSED, detail)) {
      this.options.logger.error({ event: 'claim-refused', folder: subject, file: file.originalName, code }, detail);
    }
  }

  /** The folder's files can be claimed again: its claim problem is over once no file of it is refused. */
  private resolveClaimProblem(folder: TypeFolders): void {
    for (const refused of this.refusedSince.values()) if (refused.folder === folder) return;
    if (this.processor.problems.resolve(`${folder.base}/SRC`, CLAIM_REFUSED)) {
      this.options.logger.info({ event: 'claim-resumed', folder: folder.base }, `files of ${folder.base}/SRC are taken again`);
    }
  }

  private count(outcome: BatchOutcome): void {
    this.totals.accepted += outcome.accepted;
    this.totals.invalid += outcome.invalid;
    this.totals.duplicates += outcome.duplicates;
    if (outcome.deferred.length > 0) this.sweepWorkAt ??= this.now() + this.retryMs;
  }

  /** Commits the batches in flight, if any, in order. */
  private async finishAhead(): Promise<void> {
    for (let batch = this.ahead.shift(); batch !== undefined; batch = this.ahead.shift()) await this.commit(batch);
  }

  /**
   * After a failure: the batches in flight are abandoned; their files wait in WORK for recovery
   * (which first waits for the claims still under way), and those still in SRC for a rescan.
   */
  private dropAhead(): void {
    for (const batch of this.ahead.splice(0)) this.abandoned.push(batch.inspected);
    this.claiming.clear();
    this.rescanDue = true;
  }

  /** Waits until the workers are done with abandoned batches (their claims included). */
  private async settleAbandoned(): Promise<void> {
    await Promise.allSettled(this.abandoned.splice(0));
  }

  private startWatcher(): Promise<SrcWatcher> {
    return SrcWatcher.start(
      [...this.usable].map((f) => f.src),
      (path) => this.onEvent(path),
      () => {
        this.rescanDue = true;
        this.wake?.();
      },
      (err) => this.options.logger.warn({ event: 'watch-error', err }, 'file-system watching reported an error; the periodic rescan still runs'),
    );
  }

  /**
   * A burst (thousands of files waiting): events add nothing then, since scans refill the tracker
   * after every batch, while chokidar re-lists a changing folder (one lstat per entry) every
   * second, which for 100,000 waiting files costs more than the intake itself. So watching stops
   * until a scan finds only a few files waiting.
   */
  private pauseWatching(): void {
    if (!this.watcher) return;
    const watcher = this.watcher;
    this.watcher = null;
    this.watchPaused = true;
    this.watcherClosing = watcher.close();
    this.options.logger.info({ event: 'watch-paused', tracked: this.tracker.size }, 'many files waiting: watching paused, scanning instead');
  }

  private resumeWatching(): void {
    if (!this.watchPaused || this.watchResuming || this.stopping) return;
    this.watchResuming = true;
    void this.watcherClosing
      .then(() => this.startWatcher())
      .then(
        (watcher) => {
          this.watchResuming = false;
          if (this.stopping) return watcher.close();
          this.watcher = watcher;
          this.watchPaused = false;
          // Files that arrived while nobody watched are found by one more scan.
          this.rescanDue = true;
          this.wake?.();
          this.options.logger.info({ event: 'watch-resumed' }, 'watching resumed');
          return undefined;
        },
        (err: unknown) => {
          this.watchResuming = false;
          this.options.logger.warn({ event: 'watch-error', err }, 'watching could not be resumed; the periodic rescan still runs');
        },
      );
  }

  private collectReady(): Array<{ path: string; folder: TypeFolders }> {
    const now = this.now();
    const batchSize = this.options.settings.batchSize;
    const ready: Array<{ path: string; folder: TypeFolders }> = [];
    let bytes = 0;
    const due = this.tracker.due(now, batchSize);
    for (let i = 0; i < due.length; i++) {
      const path = due[i]!;
      if (ready.length >= batchSize || (ready.length > 0 && bytes + this.tracker.sizeOf(path) > MAX_BATCH_BYTES)) {
        for (const rest of due.slice(i)) this.tracker.requeue(rest, now);
        break;
      }
      const folder = this.srcToFolder.get(dirname(path));
      // Found complete at its last look (a file moved in whole, as most are): no second stat.
      const size = folder && this.tracker.stableWhenLastSeen(path, now) ? this.tracker.sizeOf(path) : this.lookAgain(path, folder, now);
      if (size === null) continue;
      ready.push({ path, folder: folder! });
      bytes += size;
    }
    return ready;
  }

  /**
   * Looks at a due entry again (never following a link): its size when it is now found stable, else
   * null (it waits, or is forgotten). Entries that are not regular files are taken too: the
   * inspector refuses them (`not-a-file`) and they go to ERR with a report, not left in SRC unsaid.
   */
  private lookAgain(path: string, folder: TypeFolders | undefined, now: number): number | null {
    let st;
    try {
      st = lstatSync(this.rawPaths.get(path) ?? path);
    } catch (err) {
      if (isTransientFsError(err)) this.tracker.deferUntil(path, now + this.retryMs);
      else this.forget(path);
      return null;
    }
    if (!folder) {
      this.forget(path);
      return null;
    }
    return this.tracker.observe(path, st.size, st.mtimeMs, now) ? st.size : null;
  }

  private forget(path: string): void {
    this.tracker.forget(path);
    this.rawPaths.delete(path);
    this.refusedSince.delete(path);
  }

  /** Lists every SRC folder (streaming, stopping when the tracker is full) into the tracker. */
  private scanSrc(): void {
    this.lastScanAt = this.now();
    this.overflow = false;
    this.scanAllFolders();
    this.options.logger.debug({ event: 'src-scanned', tracked: this.tracker.size, overflow: this.overflow }, 'SRC folders listed');
    if (this.overflow || this.tracker.size >= this.pauseAt) this.pauseWatching();
    else if (this.tracker.size < this.pauseAt / 2) this.resumeWatching();
  }

  private scanAllFolders(): void {
    const folders = [...this.usable];
    // Each folder gets a share of the room first, so a backlog in one type does not starve the others.
    const share = Math.max(1, Math.floor((this.tracker.capacity - this.tracker.size) / folders.length));
    for (const quota of [share, Infinity]) {
      for (const folder of folders) {
        if (this.scanFolder(folder, quota) === 'full') {
          this.overflow = true;
          return;
        }
      }
    }
  }

  /** 'full' when the tracker filled up before the folder was listed to the end. */
  private scanFolder(folder: TypeFolders, quota: number): 'done' | 'quota' | 'full' {
    let dir;
    try {
      dir = opendirSync(folder.src);
    } catch (err) {
      this.options.logger.warn({ event: 'scan-failed', folder: folder.base, code: (err as NodeJS.ErrnoException).code }, 'a SRC folder could not be listed');
      return 'done';
    }
    let added = 0;
    let undecodable = false;
    const prefix = resolve(folder.src) + sep;
    try {
      for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
        if (isIgnoredName(entry.name)) continue;
        if (entry.name.includes('\uFFFD')) {
          undecodable = true; // perhaps not UTF-8: such names are read as bytes below
          continue;
        }
        const path = prefix + entry.name; // what join() gives, without its cost per entry
        const verdict = this.consider(path, quota, added);
        if (verdict === 'added') added++;
        else if (verdict !== 'skip') return verdict;
      }
    } finally {
      dir.closeSync();
    }
    return undecodable ? this.scanUndecodable(folder, prefix, quota, added) : 'done';
  }

  private consider(path: string, quota: number, added: number): 'added' | 'skip' | 'quota' | 'full' {
    if (this.tracker.has(path) || this.claiming.has(path)) return 'skip';
    if (this.tracker.full) return 'full';
    if (added >= quota) return 'quota';
    return this.offer(path) ? 'added' : 'skip';
  }

  /**
   * Lists a folder by bytes, for the names that are not UTF-8 (Big5 names written by a Windows
   * machine on a share): each gets a readable stand-in key (its name as Big5, or with the
   * undecodable bytes replaced, then a NUL and the bytes in hex: a NUL is in no real name), and
   * the bytes are used wherever the entry itself is touched.
   */
  private scanUndecodable(folder: TypeFolders, prefix: string, quota: number, added: number): 'done' | 'quota' | 'full' {
    let names: Buffer[];
    try {
      names = readdirSync(folder.src, { encoding: 'buffer' });
    } catch {
      return 'done';
    }
    for (const raw of names) {
      const text = raw.toString('utf8');
      if (!text.includes('\uFFFD') || isIgnoredName(text)) continue;
      let path = prefix + text;
      if (!isUtf8(raw)) {
        const readable = readableName(raw);
        if (isIgnoredName(readable)) continue;
        path = `${prefix}${readable}\0${raw.toString('hex')}`;
        if (!this.rawPaths.has(path)) this.rawPaths.set(path, Buffer.concat([Buffer.from(prefix, 'utf8'), raw]));
      }
      const verdict = this.consider(path, quota, added);
      if (verdict === 'added') added++;
      else if (verdict !== 'skip') return verdict;
    }
    return 'done';
  }

  /** First look at a candidate (never following a link): its size and mtime start the stability clock. */
  private offer(path: string): boolean {
    try {
      const st = lstatSync(this.rawPaths.get(path) ?? path);
      this.tracker.observe(path, st.size, st.mtimeMs, this.now());
      return true;
    } catch {
      return false; // vanished already, or not readable yet: the next scan sees it again
    }
  }

  private onEvent(path: string): void {
    if (path.includes('\uFFFD')) {
      // A name that is not UTF-8 reaches us mangled: the next scan of SRC (not a full rescan) reads it as bytes.
      this.overflow = true;
      this.wake?.();
      return;
    }
    if (this.stopping || !this.srcToFolder.has(dirname(path)) || this.tracker.has(path) || this.claiming.has(path)) return;
    if (this.tracker.full) {
      this.overflow = true;
      this.pauseWatching();
      return;
    }
    if (this.offer(path)) this.wake?.();
    if (this.tracker.size >= this.pauseAt) {
      // A burst: the scan after each batch keeps the tracker fed from here on.
      this.overflow = true;
      this.pauseWatching();
    }
  }

  /** Files in WORK not being processed: recorded ones are filed, unrecorded ones processed. */
  private async sweepWork(): Promise<number> {
    let done = 0;
    const batchSize = this.options.settings.batchSize;
    for (const folder of this.workFolders()) {
      let names: string[];
      try {
        names = readdirSync(folder.work);
      } catch (err) {
        // Missing, or not a folder: ensureFolders reports the type's folders as unusable.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.options.logger.debug({ event: 'work-unlisted', folder: folder.base, code: (err as NodeJS.ErrnoException).code }, 'WORK cannot be listed');
        continue;
      }
      for (let i = 0; i < names.length; i += batchSize) {
        const rows = [];
        const fresh: ClaimedFile[] = [];
        for (const claimName of names.slice(i, i + batchSize)) {
          const row = this.journal.findByClaim(claimName);
          if (row) rows.push(row);
          else fresh.push({ folder, claimName, originalName: originalNameOf(claimName) ?? claimName, workPath: join(folder.work, claimName) });
        }
        if (rows.length > 0) done += this.processor.refile(rows);
        if (fresh.length > 0) {
          const outcome = await this.processor.process(fresh);
          done += outcome.accepted + outcome.invalid + outcome.duplicates;
          this.count(outcome);
        }
      }
    }
    return done;
  }

  /** WORK folders of enabled types, plus those of disabled types that still exist (left-overs). */
  private *workFolders(): Generator<TypeFolders> {
    const layout = this.options.layout;
    const seen = new Set<string>();
    for (const f of layout.folders) {
      seen.add(f.type);
      yield f;
    }
    for (const { type } of outboundMessages()) {
      if (seen.has(type)) continue;
      const f = layout.foldersOf(type);
      if (f && existsSync(f.work)) yield f;
    }
  }

  private idleDelay(): number {
    const next = this.tracker.nextDueAt();
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

/** The name of an SRC entry from its key (a key of an undecodable name holds a NUL and its bytes after the name). */
function nameOfKey(path: string): string {
  const nul = path.indexOf('\0');
  return basename(nul < 0 ? path : path.slice(0, nul));
}
