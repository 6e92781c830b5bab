import { sep } from 'node:path';
// The rest of this turn of the event loop goes to what waits for I/O (sockets, worker answers).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BatchOutcome, BatchProcessor, ClaimedFile } from './BatchProcessor.js';
import { claimNameFor } from '../fs/claimNames.js';
import type { InspectedFile } from './inspectFile.js';
import type { SrcFinder } from './SrcFinder.js';

/**
 * Batches claimed and being inspected beyond the one being committed: with two, the inspector
 * always has the next batch in hand when it finishes one, and the commit finds its batch ready.
 */
const PIPELINE_DEPTH = 2;

/** A file still in SRC, to be claimed by the inspector. */
type FileToClaim = ClaimedFile & { srcPath: string };

/** A batch whose claiming and inspection are under way. */
interface InFlightBatch {
  files: FileToClaim[];
  inspected: Promise<InspectedFile[]>;
}

/**
 * Intake's batches in flight. The next batches are claimed (renamed SRC → WORK) and inspected in
 * the inspector's threads while the oldest is committed here (recorded, filed, fsynced: one
 * synchronous turn), so claiming and validation overlap recording and filing.
 */
export class BatchPipeline {
  /** Claimed and being inspected, oldest first; each step commits the oldest. */
  private readonly ahead: InFlightBatch[] = [];
  /** Inspections of batches dropped after a failure, perhaps still claiming files. */
  private readonly abandoned: Array<Promise<unknown>> = [];

  constructor(
    private readonly finder: SrcFinder,
    private readonly processor: BatchProcessor,
    /** Told what each committed batch gave (the service's totals), and how many files it claimed. */
    private readonly count: (outcome: BatchOutcome, claimed: number) => void,
  ) {}

  /**
   * Claims ready files and starts inspecting them until PIPELINE_DEPTH batches are in the
   * inspector's hands besides the oldest, then commits the oldest. False when there was nothing
   * to claim or commit.
   */
  async step(): Promise<boolean> {
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
    return current !== undefined || this.ahead.length > 0;
  }

  /** Commits the batches in flight, if any, in order. */
  async finish(): Promise<void> {
    for (let batch = this.ahead.shift(); batch !== undefined; batch = this.ahead.shift()) await this.commit(batch);
  }

  /**
   * After a failure: the batches in flight are abandoned; their files wait in WORK for recovery
   * (which first waits for the claims still under way, `settle`), and those still in SRC for a rescan.
   */
  drop(): void {
    for (const batch of this.ahead.splice(0)) this.abandoned.push(batch.inspected);
    this.finder.releaseAll();
  }

  /** Waits until the workers are done with abandoned batches (their claims included). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.abandoned.splice(0));
  }

  /** Starts claiming and inspecting the ready files, in the inspector's threads; null when none was ready. */
  private claimNext(): InFlightBatch | null {
    const ready = this.finder.takeReady();
    if (ready.length === 0) return null;
    const files: FileToClaim[] = ready.map(({ path, name, folder, bytes }) => {
      const claimName = claimNameFor(name);
      return {
        folder,
        claimName,
        originalName: name,
        workPath: folder.work + sep + claimName,
        srcPath: path,
        ...(bytes && { srcBytes: bytes }),
      };
    });
    const inspected = this.processor.inspect(files);
    inspected.catch(() => undefined); // awaited by commit; this only keeps an early failure from being "unhandled"
    return { files, inspected };
  }

  private async commit(batch: InFlightBatch): Promise<void> {
    let results: InspectedFile[];
    try {
      results = await batch.inspected;
    } finally {
      this.finder.release(batch.files.map((f) => f.srcPath));
    }
    const taken: FileToClaim[] = [];
    results.forEach((result, i) => {
      const file = batch.files[i]!;
      const entry = { path: file.srcPath, name: file.originalName, folder: file.folder };
      // Gone (taken away by the ERP) is as good as claimed; anything else is tried again later.
      if (result.kind === 'unclaimed' && result.code !== 'ENOENT') this.finder.refused(entry, result.code);
      else taken.push(file);
    });
    this.finder.claimed(taken.map((f) => ({ path: f.srcPath, folder: f.folder })));
    const outcome = this.processor.commit(batch.files, results);
    this.count(outcome, results.filter((r) => r.kind !== 'unclaimed').length);
  }
}
