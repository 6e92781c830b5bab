/** The platform's clock is Taiwan time, UTC+8 all year (no daylight saving time). */
const TAIWAN_OFFSET_MS = 8 * 3600 * 1000;

/** `2026-10-05T18:15:00.000+08:00`: how the simulator writes times people read. */
export function toTaiwanIso(at: Date): string {
  return `${new Date(at.getTime() + TAIWAN_OFFSET_MS).toISOString().slice(0, -1)}+08:00`;
}

/** `yyyyMMdd` in Taiwan time. */
export function taiwanDay(at: Date): string {
  return new Date(at.getTime() + TAIWAN_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
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
