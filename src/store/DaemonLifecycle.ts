import type { Database, Statement } from 'better-sqlite3';

export const DAEMON_STATES = ['starting', 'running', 'draining', 'stopped'] as const;
export type DaemonState = (typeof DAEMON_STATES)[number];

export interface DaemonRecord {
  state: DaemonState;
  pid: number;
  hostname: string;
  version: string;
  startedAt: number;
  heartbeatAt: number;
  stoppedAt: number | null;
}

/**
 * The daemon's lifecycle as one row in the store (starting → running → draining → stopped) with a
 * heartbeat, so `turnkey status` can tell from another process whether the daemon runs. The row
 * belongs to whoever holds the data-root lock; a later start overwrites it.
 */
export class DaemonLifecycle {
  private readonly upsert: Statement;
  private readonly setState: Statement;
  private readonly beat: Statement;
  private readonly select: Statement;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.upsert = db.prepare(`
      INSERT INTO daemon_lifecycle (id, state, pid, hostname, version, started_at, heartbeat_at, stopped_at)
      VALUES (1, 'starting', @pid, @hostname, @version, @at, @at, NULL)
      ON CONFLICT (id) DO UPDATE SET state = 'starting', pid = @pid, hostname = @hostname, version = @version,
        started_at = @at, heartbeat_at = @at, stopped_at = NULL`);
    this.setState = db.prepare(`
      UPDATE daemon_lifecycle SET state = @state, heartbeat_at = @at,
        stopped_at = CASE WHEN @state = 'stopped' THEN @at ELSE NULL END
       WHERE id = 1 AND pid = @pid`);
    this.beat = db.prepare('UPDATE daemon_lifecycle SET heartbeat_at = ? WHERE id = 1 AND pid = ?');
    this.select = db.prepare(`
      SELECT state, pid, hostname, version, started_at AS startedAt, heartbeat_at AS heartbeatAt, stopped_at AS stoppedAt
        FROM daemon_lifecycle WHERE id = 1`);
  }

  /** Claims the row for this process in `starting`. Call only while holding the data-root lock. */
  begin(identity: { pid: number; hostname: string; version: string }): void {
    this.upsert.run({ ...identity, at: this.now() });
  }

  enter(pid: number, state: Exclude<DaemonState, 'starting'>): void {
    this.setState.run({ pid, state, at: this.now() });
  }

  heartbeat(pid: number): void {
    this.beat.run(this.now(), pid);
  }

  read(): DaemonRecord | undefined {
    return this.select.get() as DaemonRecord | undefined;
  }
}
