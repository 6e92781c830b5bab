/**
 * Invoice periods (期別): two months, written as the ROC year (Gregorian − 1911) and the even end
 * month, e.g. `11412` = Nov–Dec 2025. Pure.
 */
import { TAIWAN_OFFSET_MS } from './taiwanTime.js';

/** The period of a yyyyMMdd date; null when it is not one. */
export function periodOfDate(date: string): string | null {
  const match = /^(\d{4})(\d{2})\d{2}$/.exec(date);
  if (!match) return null;
  const year = Number(match[1]) - 1911;
  const month = Number(match[2]);
  if (year < 1 || month < 1 || month > 12) return null;
  return `${String(year).padStart(3, '0')}${String(Math.ceil(month / 2) * 2).padStart(2, '0')}`;
}

/** A period's first and last day (yyyyMMdd) and its span in epoch ms (Taiwan time; `end` exclusive). */
export interface PeriodBounds {
  firstDate: string;
  lastDate: string;
  start: number;
  end: number;
}

export function periodBounds(period: string): PeriodBounds | null {
  const p = /^(\d{3})(02|04|06|08|10|12)$/.exec(period);
  if (!p) return null;
  const year = Number(p[1]) + 1911;
  const endMonth = Number(p[2]);
  const start = Date.UTC(year, endMonth - 2, 1) - TAIWAN_OFFSET_MS;
  const end = Date.UTC(year, endMonth, 1) - TAIWAN_OFFSET_MS;
  const lastDay = new Date(Date.UTC(year, endMonth, 0)).getUTCDate();
  const mm = (m: number): string => String(m).padStart(2, '0');
  return { firstDate: `${year}${mm(endMonth - 1)}01`, lastDate: `${year}${mm(endMonth)}${mm(lastDay)}`, start, end };
}

/** The period a moment falls in, in Taiwan time. */
export function periodOfTime(at: number): string {
  const d = new Date(at + TAIWAN_OFFSET_MS);
  return periodOfDate(`${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}01`)!;
}

/** The period before (`-1`) or after (`+1`) a period. */
export function shiftPeriod(period: string, by: number): string {
  const bounds = periodBounds(period);
  if (!bounds) throw new RangeError(`not a period: ${period}`);
  // The middle of the period, moved by two months per step.
  return periodOfTime(bounds.start + 20 * 86_400_000 + by * 61 * 86_400_000);
}
