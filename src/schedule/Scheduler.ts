import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { JobRuns } from '../store/JobRuns.js';

/** The platform's clock, and so the schedules': Taiwan has one zone and no daylight saving time. */
export const SCHEDULE_ZONE = 'Asia/Taipei';

/** A job's work; what it returns is recorded as the run's detail. */
export type JobWork = () => Promise<string | void> | string | void;

export interface JobInfo {
  name: string;
  expression: string;
  nextRun: Date | null;
}

/**
 * The wall-clock work (feeds, deadlines, summaries, retention, checkpoints, certificate warnings)
 * on cron schedules in Taiwan time. Jobs never overlap: one runs at a time, and a job whose
 * previous run is still going (or waiting) is not queued again. A job's failure is logged and
 * recorded; the daemon goes on and the job runs at its next time.
 */
export class Scheduler {
  private readonly tasks = new Map<string, { task: ScheduledTask; expression: string }>();
  /** Jobs run one after the other on this chain. */
  private chain: Promise<void> = Promise.resolve();
  private readonly pending = new Set<string>();
  private readonly works = new Map<string, JobWork>();
  private stopped = false;

  constructor(
    private readonly runs: JobRuns,
    private readonly logger: Logger,
  ) {}

  /** Schedules `work` as `name`; null never runs it (but `run` still can). */
  add(name: string, expression: string | null, work: JobWork): void {
    this.works.set(name, work);
    if (expression === null) return;
    const task = cron.createTask(expression, () => void this.run(name), { timezone: SCHEDULE_ZONE, name, noOverlap: true });
    this.tasks.set(name, { task, expression });
  }

  start(): void {
    for (const { task } of this.tasks.values()) void task.start();
  }

  /** Runs a job now (at start, say), in turn with the others; resolves when it has run (or was already waiting). */
  run(name: string): Promise<void> {
    const work = this.works.get(name);
    if (!work || this.stopped || this.pending.has(name)) return Promise.resolve();
    this.pending.add(name);
    const run = this.chain.then(async () => {
      if (this.stopped) return;
      const started = Date.now();
      try {
        this.runs.started(name);
        const detail = await work();
        this.runs.ended(name, 'ok', detail ?? null);
        this.logger.debug({ event: 'job-done', job: name, ms: Date.now() - started }, `job ${name} done`);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        try {
          this.runs.ended(name, 'failed', message);
        } catch {
          // The store itself may be what failed; the log line below still tells.
        }
        this.logger.error({ event: 'job-failed', job: name, err }, `job ${name} failed; it runs again at its next time`);
      } finally {
        this.pending.delete(name);
      }
    });
    this.chain = run;
    return run;
  }

  list(): JobInfo[] {
    return [...this.tasks].map(([name, { task, expression }]) => ({ name, expression, nextRun: task.getNextRuns(1)[0] ?? null }));
  }

  /** Stops the schedules and waits for the job under way, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.tasks.values()].map(({ task }) => task.destroy()));
    await this.chain;
  }
}

/** When a schedule next fires (for `turnkey status`), without starting anything. */
export function nextRunOf(expression: string): Date | null {
  const task = cron.createTask(expression, () => undefined, { timezone: SCHEDULE_ZONE });
  try {
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    void task.destroy();
  }
}
