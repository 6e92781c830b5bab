import { isUtf8 } from 'node:buffer';
import { lstatSync, opendirSync, readdirSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import type { IntakeSettings } from '../config/types.js';
import { readableName } from '../fs/portableName.js';
import type { Problems } from '../store/Problems.js';
import { isIgnoredName } from './fileNames.js';
import { isTransientFsError } from './fsErrors.js';
import type { IntakeLayout, TypeFolders } from './IntakeLayout.js';
import { StabilityTracker } from './StabilityTracker.js';
import { SrcWatcher } from './SrcWatcher.js';

/** A batch never holds more than this many bytes of file content in memory (at least one file). */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

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

/** Problem codes (intake area) of SRC folders. */
export const CLAIM_REFUSED = 'claim-refused';
export const FOLDER_UNUSABLE = 'folder-unusable';

/** An entry of SRC ready to be claimed. */
export interface ReadyEntry {
  /** Its key: the path, or for a name that is not UTF-8 a readable stand-in (see scanUndecodable). */
  path: string;
  /** The name it was dropped under (readable). */
  name: string;
  /** The path as bytes, for a name that is not UTF-8. */
  bytes?: Buffer;
  folder: TypeFolders;
}

/**
 * Watching, as an explicit state: `off` (the setting says so, or stopped), `watching`, `paused`
 * during a burst while the watcher closes (scans take over), `resuming` while a new one starts.
 */
type WatchState =
  | { kind: 'off' }
  | { kind: 'watching'; watcher: SrcWatcher }
  | { kind: 'paused'; closing: Promise<void> }
  | { kind: 'resuming'; starting: Promise<void> };

export interface SrcFinderOptions {
  layout: IntakeLayout;
  settings: IntakeSettings;
  logger: Logger;
  problems: Problems;
  now: () => number;
  /** Files watched for stability at once (default: enough for a second of full speed). */
  trackerCapacity?: number;
  /** Files waiting at which watching pauses (default 2,000). */
  watchPauseAt?: number;
  /** A new entry may be ready: the loop should look. */
  onNews: () => void;
  /** SRC should be listed in full (watching failed, or resumed after a pause). */
  onRescanNeeded: () => void;
}

/**
 * Finds what waits in the SRC folders and says when each entry is ready to be claimed. File-system
 * events and scans feed candidates to the stability tracker (never following a link: every kind of
 * entry is offered, and the inspector refuses what is not a regular file); during a burst watching
 * pauses and scans take over. Also keeps which types' folders are usable, and which entries could
 * not be claimed (a problem for the operator after a minute).
 */
export class SrcFinder {
  private readonly tracker: StabilityTracker;
  private readonly srcToFolder: Map<string, TypeFolders>;
  private readonly pauseAt: number;
  private readonly retryMs: number;
  private watch: WatchState = { kind: 'off' };
  private stopped = false;
  private lastScanAt = 0;
  /** Candidates were dropped because the tracker was full: scan again once it drains. */
  private overflow = false;
  /** Types whose folders exist (or could be created); the others are retried at each rescan. */
  private readonly usable = new Set<TypeFolders>();
  /** Entries handed out to be claimed and not yet committed: scans must not offer them again. */
  private readonly claiming = new Set<string>();
  /** SRC entries whose name is not UTF-8: a readable stand-in key → the path as bytes. */
  private readonly rawPaths = new Map<string, Buffer>();
  /** SRC entries that could not be claimed: since when, and in which type's folder. */
  private readonly refusedSince = new Map<string, { since: number; folder: TypeFolders }>();

  constructor(private readonly options: SrcFinderOptions) {
    const { settings } = options;
    this.retryMs = settings.retryDelaySeconds * 1000;
    this.pauseAt = options.watchPauseAt ?? WATCH_PAUSE_AT;
    // Room for every file arriving during one stability wait at full speed, so that waiting for
    // stability overlaps with processing instead of stalling it (~200 bytes per tracked file).
    this.tracker = new StabilityTracker(
      Math.round(settings.stabilitySeconds * 1000),
      options.trackerCapacity ?? Math.max(4 * settings.batchSize, TRACKER_MIN_CAPACITY),
    );
    this.srcToFolder = new Map(options.layout.folders.map((f) => [resolve(f.src), f]));
  }

  /** Entries seen in SRC and not yet taken (those beyond the tracker's room are not counted). */
  get backlog(): number {
    return this.tracker.size + this.claiming.size;
  }

  /** When the next waiting entry is due for a look; undefined when none waits. */
  nextDueAt(): number | undefined {
    return this.tracker.nextDueAt();
  }

  /**
   * Starts watching, unless a backlog already waits: scans take that (see pauseWatching), and the
   * watcher, which lists every entry of its folders before it is ready (1.6 s for 100,000 files),
   * starts once a scan finds only a few waiting.
   */
  async start(): Promise<void> {
    if (!this.options.settings.watch) return;
    // What makes a scan pause watching: the tracker filled, or this many waiting.
    const many = Math.min(this.pauseAt, this.tracker.capacity);
    if (this.waitingAtLeast(many)) {
      this.watch = { kind: 'paused', closing: Promise.resolve() };
      this.options.logger.info({ event: 'watch-paused', waiting: `${many}+` }, 'many files waiting: scanning first, watching later');
      return;
    }
    this.watch = { kind: 'watching', watcher: await this.startWatcher() };
  }

  /** Whether the usable SRC folders hold at least `count` entries to take (reads no more than that many). */
  private waitingAtLeast(count: number): boolean {
    let seen = 0;
    for (const folder of this.usable) {
      try {
        for (const name of namesIn(folder.src)) if (!isIgnoredName(name) && ++seen >= count) return true;
      } catch {
        // the scan says why
      }
    }
    return false;
  }

  async close(): Promise<void> {
    this.stopped = true;
    const state = this.watch;
    this.watch = { kind: 'off' };
    if (state.kind === 'watching') await state.watcher.close();
    if (state.kind === 'paused') await state.closing;
    if (state.kind === 'resuming') await state.starting;
  }

  /**
   * Creates the folders of every enabled type. A type whose folders cannot be made (a file where
   * SRC should be, no permission) is a problem for the operator; the other types go on, and it is
   * tried again at every rescan.
   */
  ensureFolders(): void {
    const { layout, problems, logger } = this.options;
    for (const folder of layout.folders) {
      if (this.usable.has(folder)) continue;
      try {
        layout.ensureFolders(folder);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const detail =
          `${e.code ?? 'error'}: the folders of ${folder.base} cannot be created (${e.message}); its files are not taken ` +
          `until they can`;
        if (problems.raise(folder.base, FOLDER_UNUSABLE, detail))
          logger.error({ event: 'folder-unusable', folder: folder.base, code: e.code }, detail);
        continue;
      }
      this.usable.add(folder);
      if (problems.resolve(folder.base, FOLDER_UNUSABLE))
        logger.info({ event: 'folder-usable', folder: folder.base }, `${folder.base} is usable again`);
    }
  }

  /**
   * The entries ready to be claimed now, oldest first, at most `batchSize` and 32 MiB. They leave
   * the tracker and count as being claimed until `claimed` or `refused` is told of them.
   */
  takeReady(): ReadyEntry[] {
    const now = this.options.now();
    const batchSize = this.options.settings.batchSize;
    const ready: ReadyEntry[] = [];
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
      const raw = this.rawPaths.get(path);
      ready.push({ path, name: nameOfKey(path), folder: folder!, ...(raw && { bytes: raw }) });
      bytes += size;
    }
    for (const entry of ready) {
      this.tracker.forget(entry.path);
      this.claiming.add(entry.path);
    }
    return ready;
  }

  /** The batch holding these entries is over (committed or dropped): scans may offer them again. */
  release(paths: Iterable<string>): void {
    for (const path of paths) this.claiming.delete(path);
  }

  /** Forgets every entry handed out (after a failure: a rescan finds those still in SRC). */
  releaseAll(): void {
    this.claiming.clear();
  }

  /** Entries that were claimed (or had gone): done with; their folders' claim problems may be over. */
  claimed(entries: ReadonlyArray<{ path: string; folder: TypeFolders }>): void {
    const folders = new Set<TypeFolders>();
    for (const entry of entries) {
      this.refusedSince.delete(entry.path);
      this.rawPaths.delete(entry.path);
      folders.add(entry.folder);
    }
    for (const folder of folders) this.resolveClaimProblem(folder);
  }

  /**
   * An entry that could not be claimed (locked by its writer on Windows, or SRC not writable for
   * the daemon's user): looked at again later. One that stays so is a problem for the operator,
   * logged once for its folder.
   */
  refused(entry: { path: string; name: string; folder: TypeFolders }, code: string | undefined): void {
    const now = this.options.now();
    const { logger, problems } = this.options;
    if (this.offer(entry.path)) this.tracker.deferUntil(entry.path, now + this.retryMs);
    const refused = this.refusedSince.get(entry.path) ?? { since: now, folder: entry.folder };
    this.refusedSince.set(entry.path, refused);
    // Refused this long (intake.claimProblemAfterSeconds), it is a problem for the operator, logged once.
    if (now - refused.since < this.options.settings.claimProblemAfterSeconds * 1000) {
      logger.debug(
        { event: 'claim-deferred', file: entry.name, folder: entry.folder.base, code },
        'a file could not be claimed now; it will be tried again',
      );
      return;
    }
    const subject = `${entry.folder.base}/SRC`;
    const fix = isTransientFsError({ code })
      ? "another program holds it open, or the daemon's user may not move files out of SRC: check who has it open and the permissions of " +
        'SRC'
      : 'check the permissions of SRC and of WORK beside it';
    const detail = `${code ?? 'error'}: ${entry.name} cannot be taken from SRC for ${Math.round((now - refused.since) / 1000)} s; ${fix}`;
    if (problems.raise(subject, CLAIM_REFUSED, detail))
      logger.error({ event: 'claim-refused', folder: subject, file: entry.name, code }, detail);
  }

  /** The folder's files can be claimed again: its claim problem is over once no file of it is refused. */
  private resolveClaimProblem(folder: TypeFolders): void {
    for (const refused of this.refusedSince.values()) if (refused.folder === folder) return;
    if (this.options.problems.resolve(`${folder.base}/SRC`, CLAIM_REFUSED)) {
      this.options.logger.info({ event: 'claim-resumed', folder: folder.base }, `files of ${folder.base}/SRC are taken again`);
    }
  }

  /**
   * Between batches: lists SRC when entries are known to wait beyond the tracker, or, with watching
   * paused, when the entries in hand run low (each scan lists whole folders, so not after every batch).
   */
  scanIfNeeded(): void {
    const roomy = this.tracker.size < this.tracker.capacity * 0.75;
    if (roomy && (this.overflow || this.pausedScanDue())) this.scan();
  }

  /** Watching is paused and the files in hand are running low (or the last scan is long past). */
  private pausedScanDue(): boolean {
    if (this.watch.kind === 'watching' || this.watch.kind === 'off' || !this.options.settings.watch) return false;
    const since = this.options.now() - this.lastScanAt;
    const lowWater = Math.max(this.pauseAt, 4 * this.options.settings.batchSize);
    return since >= PAUSED_SCAN_MAX_INTERVAL_MS || (since >= PAUSED_SCAN_INTERVAL_MS && this.tracker.size < lowWater);
  }

  /** Lists every usable SRC folder (streaming, stopping when the tracker is full) into the tracker. */
  scan(): void {
    this.lastScanAt = this.options.now();
    this.overflow = false;
    this.scanAllFolders();
    this.options.logger.debug({ event: 'src-scanned', tracked: this.tracker.size, overflow: this.overflow }, 'SRC folders listed');
    if (this.overflow || this.tracker.size >= this.pauseAt) this.pauseWatching();
    else if (this.tracker.size < this.pauseAt / 2) this.resumeWatching();
  }

  private scanAllFolders(): void {
    const folders = [...this.usable];
    // Each folder gets a share of the room first, so a backlog in one type does not starve the others.
    const share = Math.max(1, Math.floor((this.tracker.capacity - this.tracker.size) / Math.max(1, folders.length)));
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
    let added = 0;
    let undecodable = false;
    const prefix = resolve(folder.src) + sep;
    try {
      for (const name of namesIn(folder.src)) {
        if (isIgnoredName(name)) continue;
        if (name.includes('\uFFFD')) {
          undecodable = true; // perhaps not UTF-8: such names are read as bytes below
          continue;
        }
        const path = prefix + name; // what join() gives, without its cost per entry
        const verdict = this.consider(path, quota, added);
        if (verdict === 'added') added++;
        else if (verdict !== 'skip') return verdict;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).syscall === undefined) throw err; // not the folder's listing: ours
      this.options.logger.warn(
        { event: 'scan-failed', folder: folder.base, code: (err as NodeJS.ErrnoException).code },
        'a SRC folder could not be listed',
      );
      return 'done';
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
      this.tracker.observe(path, st.size, st.mtimeMs, this.options.now());
      return true;
    } catch {
      return false; // vanished already, or not readable yet: the next scan sees it again
    }
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

  private onEvent(path: string): void {
    if (path.includes('\uFFFD')) {
      // A name that is not UTF-8 reaches us mangled: the next scan of SRC (not a full rescan) reads it as bytes.
      this.overflow = true;
      this.options.onNews();
      return;
    }
    if (this.stopped || !this.srcToFolder.has(dirname(path)) || this.tracker.has(path) || this.claiming.has(path)) return;
    if (this.tracker.full) {
      this.overflow = true;
      this.pauseWatching();
      return;
    }
    if (this.offer(path)) this.options.onNews();
    if (this.tracker.size >= this.pauseAt) {
      // A burst: the scan after each batch keeps the tracker fed from here on.
      this.overflow = true;
      this.pauseWatching();
    }
  }

  private startWatcher(): Promise<SrcWatcher> {
    return SrcWatcher.start(
      [...this.usable].map((f) => f.src),
      (path) => this.onEvent(path),
      () => this.options.onRescanNeeded(),
      (err) =>
        this.options.logger.warn({ event: 'watch-error', err }, 'file-system watching reported an error; the periodic rescan still runs'),
    );
  }

  /**
   * A burst (thousands of files waiting): events add nothing then, since scans refill the tracker
   * after every batch, while chokidar re-lists a changing folder (one lstat per entry) every
   * second, which for 100,000 waiting files costs more than the intake itself. So watching stops
   * until a scan finds only a few files waiting.
   */
  private pauseWatching(): void {
    if (this.watch.kind !== 'watching') return;
    this.watch = { kind: 'paused', closing: this.watch.watcher.close() };
    this.options.logger.info(
      { event: 'watch-paused', tracked: this.tracker.size },
      'many files waiting: watching paused, scanning instead',
    );
  }

  private resumeWatching(): void {
    if (this.watch.kind !== 'paused' || this.stopped) return;
    const closing = this.watch.closing;
    const starting = closing
      .then(() => this.startWatcher())
      .then(
        (watcher) => {
          if (this.stopped) return watcher.close();
          this.watch = { kind: 'watching', watcher };
          // Files that arrived while nobody watched are found by one more scan.
          this.options.onRescanNeeded();
          this.options.logger.info({ event: 'watch-resumed' }, 'watching resumed');
          return undefined;
        },
        (err: unknown) => {
          this.watch = { kind: 'paused', closing: Promise.resolve() };
          this.options.logger.warn({ event: 'watch-error', err }, 'watching could not be resumed; the periodic rescan still runs');
        },
      );
    this.watch = { kind: 'resuming', starting };
  }
}

/**
 * The names in a folder, read one at a time (a backlog's million names are never held at once); the
 * folder is closed when the loop ends, however it ends. Opening or reading it throws from the loop.
 */
function* namesIn(folder: string): Generator<string, void, undefined> {
  const dir = opendirSync(folder);
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) yield entry.name;
  } finally {
    dir.closeSync();
  }
}

/** The name of an SRC entry from its key (a key of an undecodable name holds a NUL and its bytes after the name). */
function nameOfKey(path: string): string {
  const nul = path.indexOf('\0');
  return basename(nul < 0 ? path : path.slice(0, nul));
}
