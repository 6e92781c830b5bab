import { createHash } from 'node:crypto';
import { ConfigError } from '../../errors/TurnkeyError.js';
import { parseZonedTime, toTaiwanIso } from '../../time/taiwanTime.js';

/** A window as given: ISO times that name their offset (the platform announces in +08:00), or Dates. */
export interface MaintenanceWindowInput {
  start: string | Date;
  end: string | Date;
  description?: string;
}

export interface MaintenanceWindow {
  /** Stable for the same start, end and description. */
  id: string;
  start: Date;
  end: Date;
  description: string;
  /** `config` (from the options) or `runtime` (added while running). */
  source: 'config' | 'runtime';
  /** When the window became known (the announcement's time stamp). */
  announcedAt: Date;
}

/** The announcement as served by `GET /announcements`. */
export interface MaintenanceAnnouncement {
  id: string;
  start: string;
  end: string;
  description: string;
}

const DEFAULT_DESCRIPTION = '電子發票整合服務平台系統維護 (platform maintenance)';

/** The platform's announced maintenance windows: during one, the gateway answers 503 and SFTP refuses logins. */
export class MaintenanceCalendar {
  private readonly windows: MaintenanceWindow[] = [];

  constructor(windows: ReadonlyArray<MaintenanceWindowInput> = [], now: Date = new Date()) {
    windows.forEach((w, i) => this.windows.push(toWindow(w, 'config', now, `maintenance[${i}]`)));
    this.sort();
  }

  add(input: MaintenanceWindowInput, now: Date = new Date()): MaintenanceWindow {
    const window = toWindow(input, 'runtime', now, 'maintenance window');
    this.windows.push(window);
    this.sort();
    return window;
  }

  /** Removes the windows added at run time; the configured ones stay. */
  clearRuntime(): void {
    for (let i = this.windows.length - 1; i >= 0; i--) if (this.windows[i]!.source === 'runtime') this.windows.splice(i, 1);
  }

  /** The window in force at `at` (the one ending last, when they overlap), or null. */
  activeAt(at: Date = new Date()): MaintenanceWindow | null {
    const t = at.getTime();
    let active: MaintenanceWindow | null = null;
    for (const w of this.windows) {
      if (w.start.getTime() <= t && t < w.end.getTime() && (!active || w.end > active.end)) active = w;
    }
    return active;
  }

  list(): MaintenanceWindow[] {
    return [...this.windows];
  }

  announcements(): MaintenanceAnnouncement[] {
    return this.windows.map((w) => ({ id: w.id, start: toTaiwanIso(w.start), end: toTaiwanIso(w.end), description: w.description }));
  }

  private sort(): void {
    this.windows.sort((a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime());
  }
}

function toWindow(input: MaintenanceWindowInput, source: MaintenanceWindow['source'], now: Date, where: string): MaintenanceWindow {
  const start = toDate(input.start, `${where}.start`);
  const end = toDate(input.end, `${where}.end`);
  if (end.getTime() <= start.getTime())
    throw new ConfigError(`${where}: end (${toTaiwanIso(end)}) must be after start (${toTaiwanIso(start)})`);
  const description = input.description?.trim() || DEFAULT_DESCRIPTION;
  const id = createHash('sha256').update(`${start.toISOString()}|${end.toISOString()}|${description}`).digest('hex').slice(0, 16);
  return { id, start, end, description, source, announcedAt: now };
}

function toDate(value: string | Date, where: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ConfigError(`${where} is not a valid date`);
    return value;
  }
  const at = typeof value === 'string' ? parseZonedTime(value) : null;
  if (!at) throw new ConfigError(`${where}: "${String(value)}" is not an ISO time with an offset, e.g. 2025-12-19T18:00:00+08:00`);
  return at;
}
