import { parseIsoTime } from '../time/parseWhen.js';
import { parseAnnouncement } from './parseAnnouncement.js';

export interface MaintenanceNotice {
  /** When the platform says the maintenance ends; null when it does not say. */
  endsAt: number | null;
  reason: string;
}

const SAYS_MAINTENANCE = /maintenance|維護|暫停服務|系統升級/i;

/**
 * Reads what the platform answered with a 503: its maintenance notice, or null when the answer is
 * not one (a bare 503 is an outage, not a window). The notice may be JSON (`maintenance: {start,
 * end, description}`, or a `statusDetail` entry with code `maintenance` and the times as
 * parameters, as the simulator writes) or the platform's bilingual maintenance page, whose window
 * is read as `turnkey maintenance import` reads a notice; an end that cannot be read with
 * certainty is not guessed (null: the daemon probes until the platform answers).
 */
export function readMaintenanceNotice(body: string | null, now: Date): MaintenanceNotice | null {
  if (!body) return null;
  const json = parseJson(body);
  if (json) return fromJson(json);
  if (!SAYS_MAINTENANCE.test(body)) return null;
  let endsAt: number | null = null;
  let reason = 'the platform says it is in maintenance';
  try {
    const current = parseAnnouncement(body, { now }).find((w) => w.from.getTime() <= now.getTime() && now.getTime() < w.to.getTime());
    if (current) {
      endsAt = current.to.getTime();
      reason = current.reason;
    }
  } catch {
    // The page says maintenance but its times cannot be read with certainty: no end, probe instead.
  }
  return { endsAt, reason };
}

function fromJson(json: Record<string, unknown>): MaintenanceNotice | null {
  const window = json.maintenance as { end?: unknown; description?: unknown } | undefined;
  if (window && typeof window === 'object') {
    return { endsAt: typeof window.end === 'string' ? parseIsoTime(window.end) : null, reason: text(window.description) };
  }
  const details = Array.isArray(json.statusDetail) ? (json.statusDetail as Array<Record<string, unknown>>) : [];
  const detail = details.find((d) => d && d.code === 'maintenance');
  if (!detail) return null;
  const parameters = Array.isArray(detail.parameter) ? detail.parameter : [];
  const end = parameters[1];
  return { endsAt: typeof end === 'string' ? parseIsoTime(end) : null, reason: text(detail.description) };
}

function text(value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : 'the platform says it is in maintenance';
}

function parseJson(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
