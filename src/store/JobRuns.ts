import type { Database, Statement } from 'better-sqlite3';

export interface JobRun {
  name: string;
  startedAt: number;
  endedAt: number | null;
  outcome: 'ok' | 'failed' | null;
  detail: string | null;
  runs: number;
}

/** The last run of each scheduled job: `turnkey status` shows when each ran and how it went. */
export class JobRuns {
  private readonly start: Statement;
  private readonly end: Statement;
  private readonly all: Statement;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.start = db.prepare(`
      INSERT INTO job_runs (name, started_at, runs) VALUES (?, ?, 1)
      ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, ended_at = NULL, outcome = NULL, detail = NULL,
                                       runs = runs + 1`);
    this.end = db.prepare('UPDATE job_runs SET ended_at = ?, outcome = ?, detail = ? WHERE name = ?');
    this.all = db.prepare(`
      SELECT name, started_at AS startedAt, ended_at AS endedAt, outcome, detail, runs FROM job_runs ORDER BY name`);
  }

  started(name: string): void {
    this.start.run(name, this.now());
  }

  ended(name: string, outcome: 'ok' | 'failed', detail: string | null): void {
    this.end.run(this.now(), outcome, detail, name);
  }

  list(): JobRun[] {
    return this.all.all() as JobRun[];
  }
}
