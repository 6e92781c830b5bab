import { join } from 'node:path';
import type { FaultPlan } from '../faults/FaultPlan.js';
import type { PackRecord, SimDatabase } from '../record/SimDatabase.js';
import type { SimEvents } from '../SimEvents.js';
import type { SimLogger } from '../SimLogger.js';
import { publishFile } from '../storage/publishFile.js';
import type { SimLayout } from '../storage/SimLayout.js';
import type { PackOutcome } from './PackOutcome.js';
import { processResultXml } from './processResultXml.js';
import { processResultName, summaryResultName } from './resultNames.js';
import { summaryResultXml } from './summaryResultXml.js';

/**
 * Puts a processed pack's ProcessResult and SummaryResult into the sender's `out/`, each written
 * whole before it appears. The result faults apply here: written later, never, or twice.
 */
export class ResultPublisher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly deps: { layout: SimLayout; db: SimDatabase; faults: FaultPlan; events: SimEvents; logger: SimLogger }) {}

  /** How many writes are still waiting (delayed results, second copies). */
  get pending(): number {
    return this.timers.size;
  }

  publish(pack: PackRecord, outcome: PackOutcome, options: { recovering?: boolean } = {}): void {
    const { faults, db, events, logger } = this.deps;
    // A pack whose results were lost to a crash is written again without drawing faults anew.
    const never = !options.recovering && faults.draw('resultNeverWritten');
    const delayed = !options.recovering && faults.draw('resultDelayed');
    const twice = !options.recovering && faults.draw('resultWrittenTwice');
    if (never) {
      this.fault('resultNeverWritten', pack.filename);
      db.markResults(pack.id, 'suppressed');
      logger.warn({ account: pack.account, filename: pack.filename }, 'fault: the results of this pack will never be written');
      return;
    }
    const files = [
      { name: processResultName(pack.filename), bytes: processResultXml(outcome) },
      { name: summaryResultName(pack.filename), bytes: summaryResultXml(outcome) },
    ];
    const write = (copy: 1 | 2) => {
      const outDir = this.deps.layout.outDir(pack.account);
      for (const f of files) publishFile(this.deps.layout.writingDir(pack.account), join(outDir, f.name), f.bytes);
      if (copy === 1) db.markResults(pack.id, 'written');
      events.emit('results', { account: pack.account, filename: pack.filename, names: files.map((f) => f.name), copy });
      logger.info({ account: pack.account, filename: pack.filename, copy }, 'results written');
    };
    const first = () => {
      write(1);
      if (twice) {
        this.fault('resultWrittenTwice', pack.filename);
        this.later(faults.settings().resultRewriteDelayMs, () => write(2));
      }
    };
    if (delayed) {
      this.fault('resultDelayed', pack.filename);
      this.later(faults.settings().resultDelayMs, first);
    } else {
      first();
    }
  }

  /** Resolves when no write is waiting. */
  idle(): Promise<void> {
    if (this.timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.wakeIdle();
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        run();
      } catch (error) {
        this.deps.logger.error({ err: (error as Error).message }, 'writing results failed');
      }
      if (this.timers.size === 0) this.wakeIdle();
    }, ms);
    this.timers.add(timer);
  }

  private wakeIdle(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private fault(fault: 'resultNeverWritten' | 'resultDelayed' | 'resultWrittenTwice', detail: string): void {
    this.deps.db.recordFault(fault, detail);
    this.deps.events.emit('fault', { fault, detail });
  }
}
