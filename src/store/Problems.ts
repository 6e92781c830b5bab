import type { Database, Statement } from 'better-sqlite3';

export type ProblemArea = 'intake' | 'sending' | 'results' | 'daemon' | 'tracks';

export interface OpenProblem {
  id: number;
  area: ProblemArea;
  subject: string;
  code: string;
  detail: string;
  firstAt: number;
  lastAt: number;
  count: number;
}

/** A problem met again within this time is not written again (a retry loop would write it every few seconds). */
const REFRESH_MS = 60_000;

/**
 * The open problems of one area of the daemon (the area's own writer: intake and sending each have
 * one). `raise` says whether a problem is new, so that its owner logs it once, not on every retry;
 * `resolve` closes it when the condition is found gone. What is open is also kept in memory, so
 * resolving on every success costs nothing while there is nothing to resolve.
 */
export class Problems {
  private readonly upsert: Statement;
  private readonly close: Statement;
  private readonly openOfArea: Statement;
  /** `subject\0code` → when last written. */
  private readonly open = new Map<string, number>();

  constructor(
    db: Database,
    private readonly area: ProblemArea,
    private readonly now: () => number = Date.now,
  ) {
    this.upsert = db.prepare(`
      INSERT INTO problems (area, subject, code, detail, first_at, last_at, count) VALUES (?, ?, ?, ?, ?, ?, 1)
      ON CONFLICT (area, subject, code) WHERE resolved_at IS NULL
      DO UPDATE SET detail = excluded.detail, last_at = excluded.last_at, count = count + 1
      RETURNING count`);
    this.close = db.prepare('UPDATE problems SET resolved_at = ? WHERE area = ? AND subject = ? AND code = ? AND resolved_at IS NULL');
    this.openOfArea = db.prepare('SELECT subject, code, last_at AS lastAt FROM problems WHERE area = ? AND resolved_at IS NULL');
    for (const row of this.openOfArea.all(area) as Array<{ subject: string; code: string; lastAt: number }>) {
      this.open.set(keyOf(row.subject, row.code), row.lastAt);
    }
  }

  /** Records the problem, or refreshes it; true when it was not open before (log it then). */
  raise(subject: string, code: string, detail: string): boolean {
    const key = keyOf(subject, code);
    const at = this.now();
    const written = this.open.get(key);
    if (written !== undefined && at - written < REFRESH_MS) return false;
    const { count } = this.upsert.get(this.area, subject, code, detail, at, at) as { count: number };
    this.open.set(key, at);
    return count === 1;
  }

  /** Closes the problem if it is open; true when it was. */
  resolve(subject: string, code: string): boolean {
    const key = keyOf(subject, code);
    if (!this.open.has(key)) return false;
    this.close.run(this.now(), this.area, subject, code);
    this.open.delete(key);
    return true;
  }

  /** The subjects with an open problem of this code. */
  openSubjects(code: string): string[] {
    const subjects: string[] = [];
    for (const key of this.open.keys()) {
      const [subject, keyCode] = key.split('\0') as [string, string];
      if (keyCode === code) subjects.push(subject);
    }
    return subjects;
  }
}

/** Every open problem, newest first: what `turnkey status` shows. */
export function openProblems(db: Database, limit = 50): OpenProblem[] {
  return db
    .prepare(
      `
      SELECT id, area, subject, code, detail, first_at AS firstAt, last_at AS lastAt, count
        FROM problems WHERE resolved_at IS NULL ORDER BY last_at DESC LIMIT ?`,
    )
    .all(limit) as OpenProblem[];
}

function keyOf(subject: string, code: string): string {
  return `${subject}\0${code}`;
}
