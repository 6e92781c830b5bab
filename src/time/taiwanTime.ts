/**
 * The platform's clock is Taiwan time, UTC+8 all year (no daylight saving time): day folders,
 * Turnkey timestamps and signed-file names use it whatever the server's own time zone.
 */
export const TAIWAN_OFFSET_MS = 8 * 3600 * 1000;

const shifted = (at: Date | number): string => new Date((typeof at === 'number' ? at : at.getTime()) + TAIWAN_OFFSET_MS).toISOString();

/** The Taiwan-time day as a number (days since 1970-01-01 there): cheap to compare, one per `taiwanDay`. */
export function taiwanDayNumber(at: number): number {
  return Math.floor((at + TAIWAN_OFFSET_MS) / (24 * 3600 * 1000));
}

/** `yyyyMMdd` in Taiwan time. */
export function taiwanDay(at: Date | number): string {
  return shifted(at).slice(0, 10).replace(/-/g, '');
}

/** `yyyyMMddHHmmssSSS` in Taiwan time: Turnkey's timestamp form. */
export function taiwanStamp(at: Date | number): string {
  return shifted(at)
    .slice(0, 23)
    .replace(/[-:T.]/g, '');
}

/** `2026-10-05T18:15:00.000+08:00`: how times people read are written. */
export function toTaiwanIso(at: Date): string {
  return `${shifted(at).slice(0, -1)}+08:00`;
}

/**
 * Reads an ISO 8601 time that names its offset (`Z` or `+08:00`); a time without one would depend
 * on the machine's zone, so it is refused (null).
 */
export function parseZonedTime(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at;
}
