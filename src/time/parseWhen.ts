import { TAIWAN_OFFSET_MS } from './taiwanTime.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 } as const;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads a point in time as an operator writes it: ISO 8601 with an offset (`2026-12-20T18:00+08:00`,
 * `…Z`), or without one, meaning Taiwan time (`2026-12-20T18:00`, `2026-12-20 18:00`, a date alone
 * being its start); `now`; or `+<n>s|m|h|d` from now. Null when it is none of these (the caller
 * says where). The platform's clock is Taiwan time whatever the server's zone, so a time without
 * an offset is never read in the machine's own zone.
 */
export function parseWhen(text: string, now: number): number | null {
  const t = text.trim();
  if (t === 'now') return now;
  const relative = /^\+(\d+(?:\.\d+)?)([smhd])$/.exec(t);
  if (relative) return now + Math.round(Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  return parseIsoTime(t);
}

/** ISO 8601 only (with an offset, or Taiwan time without one); null otherwise, or for a day or hour that does not exist. */
export function parseIsoTime(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', ms = '0', zone] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0'))] as const;
  const utc = Date.UTC(...fields);
  const back = new Date(utc);
  // Date.UTC rolls 2026-02-30 over into March: a date or time that does not exist is refused instead.
  if (
    back.getUTCFullYear() !== fields[0] ||
    back.getUTCMonth() !== fields[1] ||
    back.getUTCDate() !== fields[2] ||
    back.getUTCHours() !== fields[3] ||
    back.getUTCMinutes() !== fields[4] ||
    back.getUTCSeconds() !== fields[5]
  )
    return null;
  return utc - offsetMs(zone);
}

function offsetMs(zone: string | undefined): number {
  if (zone === undefined) return TAIWAN_OFFSET_MS;
  if (zone === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const ms = (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  return m[1] === '-' ? -ms : ms;
}
