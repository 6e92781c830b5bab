import type { DeadlineRule } from '../config/types.js';
import { TAIWAN_OFFSET_MS } from '../time/taiwanTime.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/** A buyer of ten zeros is a consumer (B2C). */
const CONSUMER = '0000000000';

/** What a deadline is computed from: the fields intake reads. */
export interface DeadlineFacts {
  messageType: string;
  buyerId: string | null;
  /** yyyyMMdd (the issue or allowance date); for E0401/E0402 the period, ROC `yyyMM`. */
  date: string | null;
  /** yyyyMMdd of a cancel or void: their own date. */
  actionDate: string | null;
  /** HH:mm:ss of the message's own act, when it has one. */
  time: string | null;
}

/**
 * When the law wants the message at the platform (epoch ms), from the first rule for its type and
 * buyer; null when no rule covers it or its date cannot be read. Counted from the message's own
 * date and time (a cancel's or void's own date, not its invoice's); a message with a date but no
 * time counts from the start of that day in Taiwan time, so its deadline is never later than the law's.
 */
export function uploadDeadline(rules: readonly DeadlineRule[], facts: DeadlineFacts): number | null {
  const b2c = facts.buyerId === CONSUMER;
  const rule = rules.find(
    (r) => (r.types as readonly string[]).includes(facts.messageType) && (r.buyer === 'any' || (r.buyer === 'b2c') === b2c),
  );
  if (!rule) return null;
  if (rule.daysAfterPeriod !== undefined) return facts.date === null ? null : periodDeadline(facts.date, rule.daysAfterPeriod);
  const start = taiwanMoment(facts.actionDate ?? facts.date, facts.time);
  if (start === null) return null;
  return start + (rule.hours !== undefined ? rule.hours * HOUR_MS : (rule.days ?? 0) * DAY_MS);
}

/** `yyyyMMdd` (+ `HH:mm:ss`) in Taiwan time as epoch ms; null when it is not a real date and time. */
export function taiwanMoment(date: string | null, time: string | null): number | null {
  const d = date === null ? null : /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (!d) return null;
  const t = time === null ? ['', '0', '0', '0'] : /^(\d{2}):(\d{2}):(\d{2})$/.exec(time);
  if (!t) return taiwanMoment(date, null);
  const fields = [Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3])] as const;
  const utc = Date.UTC(...fields);
  const back = new Date(utc);
  if (back.getUTCMonth() !== fields[1] || back.getUTCDate() !== fields[2] || back.getUTCHours() !== fields[3]) return null;
  return utc - TAIWAN_OFFSET_MS;
}

/**
 * The end of day `day` of the period after `period` (ROC `yyyMM`, the period's even end month):
 * E0402's unused numbers of 11412 (Nov–Dec 2025) are due by the end of 2026-01-10, Taiwan time.
 */
export function periodDeadline(period: string, day: number): number | null {
  const p = /^(\d{3})(\d{2})$/.exec(period);
  if (!p) return null;
  const year = Number(p[1]) + 1911;
  const endMonth = Number(p[2]);
  // A period ends in an even month (11412: November–December).
  if (endMonth < 2 || endMonth > 12 || endMonth % 2 !== 0) return null;
  // Month index endMonth (0-based) is the month after the period's end; Date.UTC carries December into January.
  return Date.UTC(year, endMonth, day + 1) - TAIWAN_OFFSET_MS;
}
