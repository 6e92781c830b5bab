import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { outboundMessages } from '../mig/catalog.js';
import type { IntakeJournal } from '../store/IntakeJournal.js';
import type { BatchOutcome, BatchProcessor, ClaimedFile } from './BatchProcessor.js';
import { originalNameOf } from '../fs/claimNames.js';
import type { IntakeLayout, TypeFolders } from './IntakeLayout.js';

/**
 * Finishes what a crash, a lock or a folder that refused files left behind: journal rows whose
 * file was not confirmed filed are moved again (`refileJournal`), and every file in WORK that no
 * batch holds is finished (`sweepWork`: recorded ones filed, unrecorded ones processed afresh).
 * Repeatable at any point; the caller runs it only while no batch is in flight.
 */
export class WorkRecovery {
  constructor(
    private readonly processor: BatchProcessor,
    private readonly journal: IntakeJournal,
    private readonly layout: IntakeLayout,
    private readonly batchSize: number,
    private readonly logger: Logger,
    /** Told what processing files found in WORK gave (the service's totals). */
    private readonly count: (outcome: BatchOutcome) => void,
  ) {}

  /** Both, in that order; returns how many files were finished. */
  async recover(): Promise<number> {
    const done = this.refileJournal() + (await this.sweepWork());
    if (done > 0) this.logger.info({ event: 'intake-recovered', files: done }, 'finished files left by an earlier run');
    return done;
  }

  /** Files whose journal row is not filed (a crash, or a folder that refused them) are moved again. */
  refileJournal(): number {
    this.processor.filingPending = false;
    let done = 0;
    let after = 0;
    for (;;) {
      const rows = this.journal.unfiled(after, this.batchSize);
      if (rows.length === 0) break;
      done += this.processor.refile(rows);
      after = rows[rows.length - 1]!.id;
    }
    return done;
  }

  /** Files in WORK not being processed: recorded ones are filed, unrecorded ones processed. */
  async sweepWork(): Promise<number> {
    let done = 0;
    for (const folder of this.workFolders()) {
      let names: string[];
      try {
        names = readdirSync(folder.work);
      } catch (err) {
        // Missing, or not a folder: the finder reports the type's folders as unusable.
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') this.logger.debug({ event: 'work-unlisted', folder: folder.base, code }, 'WORK cannot be listed');
        continue;
      }
      for (let i = 0; i < names.length; i += this.batchSize) {
        const rows = [];
        const fresh: ClaimedFile[] = [];
        for (const claimName of names.slice(i, i + this.batchSize)) {
          const row = this.journal.findByClaim(claimName);
          if (row) rows.push(row);
          else
            fresh.push({ folder, claimName, originalName: originalNameOf(claimName) ?? claimName, workPath: join(folder.work, claimName) });
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
    const seen = new Set<string>();
    for (const f of this.layout.folders) {
      seen.add(f.type);
      yield f;
    }
    for (const { type } of outboundMessages()) {
      if (seen.has(type)) continue;
      const f = this.layout.foldersOf(type);
      if (f && existsSync(f.work)) yield f;
    }
  }
}
