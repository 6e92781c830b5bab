/**
 * MIG dates are yyyyMMdd and times HH:mm:ss, both in Taiwan time (UTC+8, no daylight saving).
 * The schema checks only that month is 01-12 and day 01-31; the calendar is checked here.
 */
import { TAIWAN_OFFSET_MS, taiwanDay } from '../../time/taiwanTime.js';

export function isCalendarDate(yyyymmdd: string): boolean {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The instant a Taiwan-time date (and optional time) stands for; null when not a real date/time. */
export function taiwanInstant(yyyymmdd: string, time?: string | null): number | null {
  if (!isCalendarDate(yyyymmdd)) return null;
  let seconds = 0;
  if (time) {
    const t = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(time);
    if (!t) return null;
    seconds = Number(t[1]) * 3600 + Number(t[2]) * 60 + Number(t[3]);
  }
  const utc = Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8)));
  return utc + seconds * 1000 - TAIWAN_OFFSET_MS;
}

/**
 * Whether a date (and time, when given) lies beyond now + skew. Without a time, only a date after
 * the Taiwan date of (now + skew) is in the future.
 */
export function isInFuture(yyyymmdd: string, time: string | null, now: Date, skewSeconds: number): boolean {
  const limit = new Date(now.getTime() + skewSeconds * 1000);
  if (time) {
    const instant = taiwanInstant(yyyymmdd, time);
    if (instant !== null) return instant > limit.getTime();
  }
  return yyyymmdd > taiwanDay(limit);
}
