import type { Database, Statement } from 'better-sqlite3';

export type WindowOrigin = 'config' | 'cli' | 'feed' | 'platform';

export interface MaintenanceWindow {
  id: number;
  origin: WindowOrigin;
  source: string;
  startsAt: number;
  /** Null: the platform said it is in maintenance without an end; it lasts until the platform answers again. */
  endsAt: number | null;
  reason: string;
  addedAt: number;
}

/** A window as a source gives it. */
export interface WindowInput {
  startsAt: number;
  endsAt: number | null;
  reason: string;
}

const COLUMNS = `id, origin, source, starts_at AS startsAt, ends_at AS endsAt, reason, added_at AS addedAt`;

/**
 * The maintenance windows of every source in one table. Each source owns its rows: the
 * configuration and each feed are synced whole (a window gone from its source is removed), the CLI
 * adds and removes one at a time, and the platform's own answers open a window and close it.
 * Every change is one transaction and an event in `sending_events`.
 */
export class MaintenanceWindows {
  private readonly all: Statement;
  private readonly current: Statement;
  private readonly bySource: Statement;
  private readonly byId: Statement;
  private readonly insert: Statement;
  private readonly updateReason: Statement;
  private readonly deleteById: Statement;
  private readonly closeOpen: Statement;
  private readonly event: Statement;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.all = db.prepare(`SELECT ${COLUMNS} FROM maintenance_windows ORDER BY starts_at, id`);
    this.current = db.prepare(`SELECT ${COLUMNS} FROM maintenance_windows WHERE ends_at IS NULL OR ends_at > ? ORDER BY starts_at, id`);
    this.bySource = db.prepare(`SELECT ${COLUMNS}, source_key AS sourceKey FROM maintenance_windows WHERE origin = ? AND source = ?`);
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM maintenance_windows WHERE id = ?`);
    this.insert = db.prepare(`
      INSERT INTO maintenance_windows (origin, source, source_key, starts_at, ends_at, reason, added_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (origin, source, source_key) DO NOTHING`);
    this.updateReason = db.prepare('UPDATE maintenance_windows SET reason = ? WHERE id = ?');
    this.deleteById = db.prepare('DELETE FROM maintenance_windows WHERE id = ?');
    this.closeOpen = db.prepare(`
      UPDATE maintenance_windows SET ends_at = @at
       WHERE origin = 'platform' AND starts_at <= @at AND (ends_at IS NULL OR ends_at > @at)
      RETURNING id, reason`);
    this.event = db.prepare('INSERT INTO sending_events (at, kind, window_id, reason, detail) VALUES (?, ?, ?, ?, ?)');
  }

  /** Every window, past ones included, by start. */
  list(): MaintenanceWindow[] {
    return this.all.all() as MaintenanceWindow[];
  }

  /** The windows not over at `at` (in force or to come), by start. */
  notOver(at: number): MaintenanceWindow[] {
    return this.current.all(at) as MaintenanceWindow[];
  }

  get(id: number): MaintenanceWindow | undefined {
    return this.byId.get(id) as MaintenanceWindow | undefined;
  }

  /** Adds one window; the same window from the same source again is the one already there. */
  add(origin: WindowOrigin, source: string, window: WindowInput): MaintenanceWindow {
    return this.db
      .transaction(() => {
        const key = sourceKey(window);
        const result = this.insert.run(origin, source, key, window.startsAt, window.endsAt, window.reason, this.now());
        const row = (this.bySource.all(origin, source) as Array<MaintenanceWindow & { sourceKey: string }>).find(
          (w) => w.sourceKey === key,
        )!;
        if (result.changes === 1) this.event.run(this.now(), 'window-added', row.id, row.reason, describe(origin, source, window));
        return strip(row);
      })
      .immediate();
  }

  /** Removes one window; false when there is none with that id. */
  remove(id: number, by: string): boolean {
    return this.db
      .transaction(() => {
        const row = this.get(id);
        if (!row) return false;
        this.deleteById.run(id);
        this.event.run(this.now(), 'window-removed', id, row.reason, `${describe(row.origin, row.source, row)} removed by ${by}`);
        return true;
      })
      .immediate();
  }

  /**
   * Makes the windows of one source exactly `windows` (a feed read again, the configuration at
   * start): new ones added, gone ones removed, a changed reason updated. One transaction.
   */
  sync(origin: WindowOrigin, source: string, windows: readonly WindowInput[]): { added: number; removed: number } {
    return this.db
      .transaction(() => {
        const existing = new Map(
          (this.bySource.all(origin, source) as Array<MaintenanceWindow & { sourceKey: string }>).map((w) => [w.sourceKey, w]),
        );
        const wanted = new Map(windows.map((w) => [sourceKey(w), w]));
        let added = 0;
        let removed = 0;
        for (const [key, row] of existing) {
          if (wanted.has(key)) continue;
          this.deleteById.run(row.id);
          this.event.run(this.now(), 'window-removed', row.id, row.reason, `${describe(origin, source, row)}: no longer announced there`);
          removed++;
        }
        for (const [key, window] of wanted) {
          const row = existing.get(key);
          if (row) {
            if (row.reason !== window.reason) this.updateReason.run(window.reason, row.id);
            continue;
          }
          const id = Number(
            this.insert.run(origin, source, key, window.startsAt, window.endsAt, window.reason, this.now()).lastInsertRowid,
          );
          this.event.run(this.now(), 'window-added', id, window.reason, describe(origin, source, window));
          added++;
        }
        return { added, removed };
      })
      .immediate();
  }

  /** The platform answered again: its open windows end now. Returns how many ended. */
  closePlatformWindows(): number {
    return this.db
      .transaction(() => {
        const at = this.now();
        const closed = this.closeOpen.all({ at }) as Array<{ id: number; reason: string }>;
        for (const row of closed) this.event.run(at, 'window-ended', row.id, row.reason, 'the platform answers again');
        return closed.length;
      })
      .immediate();
  }
}

/** A window's identity within its source: its times (a feed that moves a window makes a new one). */
function sourceKey(window: WindowInput): string {
  return `${window.startsAt}/${window.endsAt ?? 'open'}`;
}

function describe(origin: WindowOrigin, source: string, window: { startsAt: number; endsAt: number | null }): string {
  const end = window.endsAt === null ? 'until the platform answers' : new Date(window.endsAt).toISOString();
  return `${origin} (${source}): ${new Date(window.startsAt).toISOString()} → ${end}`;
}

function strip(row: MaintenanceWindow & { sourceKey?: string }): MaintenanceWindow {
  const { sourceKey: _key, ...window } = row;
  return window;
}
