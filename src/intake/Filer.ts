import { existsSync, lstatSync, renameSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Logger } from 'pino';
import { fsyncDir, fsyncFile, mkdirReturningParents } from '../fs/fsyncDir.js';
import { portableName } from '../fs/portableName.js';
import type { Disposition } from '../store/IntakeJournal.js';
import type { Problems } from '../store/Problems.js';
import { taiwanDay, taiwanDayNumber } from '../time/taiwanTime.js';
import { errReportJson, errReportText, type ErrReportInput } from './ErrReport.js';
import { reportNames, withSuffix } from './fileNames.js';
import { intakeFailpoint as failpoint, type IntakeFailpoint } from './intakeFailpoints.js';
import type { IntakeLayout, TypeFolders } from './IntakeLayout.js';

/** Problem code (intake area) of a BAK/ERR folder a file cannot be filed into. */
export const FILING_FAILED = 'filing-failed';

/** Where a file is filed: relative to the data root (as the journal records it), absolute, and its folder. */
export interface FilingTarget {
  rel: string;
  abs: string;
  dir: string;
}

/** A file to move from WORK to its target (its ERR report written first, when it has one). */
export interface FileToFile {
  folder: TypeFolders;
  disposition: Disposition;
  originalName: string;
  workPath: string;
  target: FilingTarget;
  report: ErrReportInput | null;
}

interface FilingTrouble {
  /** `UpCast/<CATEGORY>/<MIG>/ERR` (or BAK): the folder that could not take the file. */
  folder: string;
  file: string;
  code: string | undefined;
  message: string;
}

/**
 * Intake's disk side: where each file goes (`BAK/<day>/<name>` or `ERR/<day>/<name>` in Taiwan time,
 * `name~1`, `name~2`… when taken: nothing there is ever overwritten), and moving files there, ERR
 * reports first, each folder fsynced once. A folder that will not take a file (not writable, full,
 * not a folder) leaves that file in WORK: a problem for the operator, logged once, and
 * `filingPending` so that intake files it again later; the other files and folders go on.
 */
export class Filer {
  /** Recorded files left in WORK because their folder would not take them: file them again later. */
  filingPending = false;
  /** Day folders known to exist, so each is created (and its parent fsynced) once. */
  private readonly knownDirs = new Set<string>();
  /** Today's folder under each BAK/ERR folder, so paths are not rebuilt for every file. */
  private readonly dayFolders = new Map<string, { day: number; abs: string; rel: string }>();

  constructor(
    private readonly layout: IntakeLayout,
    private readonly problems: Problems,
    private readonly logger: Logger,
  ) {}

  /** BAK/<day>/<name>, or name~1, name~2… when taken (or reserved by this batch). */
  allocateTarget(folder: TypeFolders, disposition: Disposition, name: string, at: number, reserved: Set<string>): FilingTarget {
    const dir = this.dayFolder(disposition === 'BAK' ? folder.bak : folder.err, at);
    for (let n = 0; ; n++) {
      const fileName = withSuffix(portableName(name), n);
      const candidate = dir.abs + sep + fileName;
      if (this.occupied(candidate, disposition, reserved)) continue;
      reserved.add(candidate);
      return { rel: `${dir.rel}/${fileName}`, abs: candidate, dir: dir.abs };
    }
  }

  /**
   * Moves each file to its target (ERR reports first), then fsyncs every folder touched, once;
   * returns those moved. `midPoint` is the failpoint after the first move.
   */
  fileAll<F extends FileToFile>(files: readonly F[], midPoint: IntakeFailpoint): F[] {
    const touched = new Set<string>();
    const filed: F[] = [];
    const failed = new Map<string, FilingTrouble>();
    const trouble = (f: F, err: unknown): void => {
      const e = err as NodeJS.ErrnoException;
      const folder = `${f.folder.base}/${f.disposition}`;
      failed.set(folder, { folder, file: f.originalName, code: e.code, message: e.message });
      this.filingPending = true;
    };
    // Each day folder looked at once per batch (someone may have removed it since the last batch).
    const unusable = new Map<string, unknown>();
    for (const dir of new Set(files.map((f) => f.target.dir))) {
      try {
        this.ensureDir(dir, touched);
      } catch (err) {
        unusable.set(dir, err);
      }
    }
    // Reports first, all written before any is fsynced: the first fsync commits the file-system
    // journal for all of them, so a batch of refused files costs about one flush, not two each.
    const reports: string[] = [];
    const movable: F[] = [];
    for (const f of files) {
      const dirError = unusable.get(f.target.dir);
      if (dirError !== undefined) {
        trouble(f, dirError);
        continue;
      }
      if (f.report) {
        const names = reportNames(f.target.abs);
        try {
          writeFileSync(names.json, errReportJson(f.report));
          writeFileSync(names.text, errReportText(f.report));
        } catch (err) {
          trouble(f, err);
          continue;
        }
        reports.push(names.json, names.text);
      }
      movable.push(f);
    }
    if (reports.length > 0) {
      for (const report of reports) fsyncFile(report);
      failpoint('after-report');
    }
    for (const f of movable) {
      try {
        renameSync(f.workPath, f.target.abs);
      } catch (err) {
        trouble(f, err); // a lock (Windows) or a folder that will not take it: tried again later either way
        continue;
      }
      touched.add(f.folder.work);
      touched.add(f.target.dir);
      filed.push(f);
      if (filed.length === 1) failpoint(midPoint);
    }
    for (const dir of touched) fsyncDir(dir);
    this.reportFiling(filed, failed);
    return filed;
  }

  /** Raises a problem per folder that refused a file (logged when new), and resolves those that took one. */
  private reportFiling(filed: readonly FileToFile[], failed: ReadonlyMap<string, FilingTrouble>): void {
    for (const t of failed.values()) {
      const detail =
        `${t.code ?? 'error'}: ${t.file} cannot be filed in ${t.folder} (${t.message}); it waits in WORK and is filed once ` +
        `the folder takes it`;
      if (this.problems.raise(t.folder, FILING_FAILED, detail)) {
        this.logger.error(
          { event: 'filing-failed', folder: t.folder, file: t.file, code: t.code },
          `${t.folder} does not take files: ${t.code ?? t.message}`,
        );
      }
    }
    for (const folder of new Set(filed.map((f) => `${f.folder.base}/${f.disposition}`))) {
      if (!failed.has(folder) && this.problems.resolve(folder, FILING_FAILED)) {
        this.logger.info({ event: 'filing-resumed', folder }, `${folder} takes files again`);
      }
    }
  }

  /** `<base>/<day>` in Taiwan time, built once per folder and day rather than once per file. */
  private dayFolder(base: string, at: number): { abs: string; rel: string } {
    const day = taiwanDayNumber(at);
    let folder = this.dayFolders.get(base);
    if (folder?.day !== day) {
      const abs = join(base, taiwanDay(at));
      folder = { day, abs, rel: this.layout.toRelative(abs) };
      this.dayFolders.set(base, folder);
    }
    return folder;
  }

  private occupied(path: string, disposition: Disposition, reserved: Set<string>): boolean {
    if (reserved.has(path) || entryExists(path)) return true;
    if (disposition === 'ERR') {
      const names = reportNames(path);
      return entryExists(names.json) || entryExists(names.text);
    }
    return false;
  }

  private ensureDir(dir: string, touched: Set<string>): void {
    if (this.knownDirs.has(dir) && existsSync(dir)) return;
    // A new day folder (and BAK or ERR, if they were gone) is itself an entry of its parent: make that durable too.
    mkdirReturningParents(dir, touched);
    this.knownDirs.add(dir);
  }
}

/** Whether a recorded file is in WORK: 'unknown' when WORK cannot be looked into now (never taken as gone). */
export function workEntry(path: string): 'present' | 'absent' | 'unknown' {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) === undefined ? 'absent' : 'present';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'absent' : 'unknown';
  }
}

/** Whether anything is at `path`, a dangling link included (existsSync follows links, and a rename would replace one). */
export function entryExists(path: string): boolean {
  // Without throwing for a miss, the common case (a free name in BAK): an exception costs more than the call.
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // a folder on the way is not one, or cannot be searched: filing it will say so
  }
}
