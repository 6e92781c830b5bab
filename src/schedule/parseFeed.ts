import { TurnkeyError } from '../errors/index.js';
import { TAIWAN_OFFSET_MS } from '../time/taiwanTime.js';
import { parseIsoTime } from '../time/parseWhen.js';
import { AnnouncementError, parseAnnouncement } from './parseAnnouncement.js';

/** A window a feed announces. */
export interface FeedWindow {
  startsAt: number;
  endsAt: number;
  reason: string;
}

export type FeedFormat = 'auto' | 'ics' | 'json' | 'notice';

/** A feed whose content cannot be read: its windows are kept as they were, and the operator is told. */
export class FeedError extends TurnkeyError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('feed-unreadable', message, { ...options, hint: 'Fix the feed (or its format setting); the windows read from it before stay.' });
  }
}

const DEFAULT_REASON = 'announced maintenance';

/**
 * Reads an announcement feed: iCalendar (VEVENTs), the JSON list the simulator serves
 * (`[{start, end, description}]`, or an object holding such a list as `announcements` or
 * `windows`), or a maintenance notice in Chinese (text or HTML). `auto` tells them apart by their
 * first characters. Only complete windows are taken; anything unreadable refuses the whole feed
 * (a feed half read could remove windows it still announces).
 */
export function parseFeed(text: string, format: FeedFormat, now: Date): FeedWindow[] {
  const body = text.replace(/^\uFEFF/, '');
  const kind = format === 'auto' ? sniff(body) : format;
  switch (kind) {
    case 'ics':
      return parseICalendar(body);
    case 'json':
      return parseJsonFeed(body);
    case 'notice':
      return readNotice(body, now);
  }
}

/** A page that announces no window (the last one was taken down) is an empty feed, not an unreadable one. */
function readNotice(body: string, now: Date): FeedWindow[] {
  try {
    return parseAnnouncement(body, { now }).map((w) => ({ startsAt: w.from.getTime(), endsAt: w.to.getTime(), reason: w.reason }));
  } catch (err) {
    if (err instanceof AnnouncementError && err.code === 'announcement-empty') return [];
    throw err;
  }
}

function sniff(body: string): Exclude<FeedFormat, 'auto'> {
  const start = body.trimStart();
  if (start.startsWith('BEGIN:VCALENDAR')) return 'ics';
  if (start.startsWith('[') || start.startsWith('{')) return 'json';
  return 'notice';
}

/** RFC 5545, the parts a maintenance calendar uses: VEVENT with DTSTART, DTEND (or DURATION), SUMMARY. */
export function parseICalendar(text: string): FeedWindow[] {
  // Unfold: a line break followed by a space or a tab continues the line.
  const lines = text
    .replace(/\r\n|\r/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n');
  if (!lines.some((l) => l.trim() === 'BEGIN:VCALENDAR')) throw new FeedError('not an iCalendar file (no BEGIN:VCALENDAR)');
  const windows: FeedWindow[] = [];
  let event: Map<string, { params: string; value: string }> | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') event = new Map();
    else if (line === 'END:VEVENT') {
      if (event) {
        const window = eventWindow(event);
        if (window) windows.push(window);
      }
      event = null;
    } else if (event) {
      const m = /^([A-Za-z-]+)((?:;[^:]*)?):(.*)$/.exec(line);
      if (m) event.set(m[1]!.toUpperCase(), { params: m[2]!, value: m[3]! });
    }
  }
  return windows;
}

function eventWindow(event: Map<string, { params: string; value: string }>): FeedWindow | null {
  if (event.get('STATUS')?.value.toUpperCase() === 'CANCELLED') return null;
  // Repeating events would need their rule expanded; taking only the first would miss the others.
  if (event.has('RRULE') || event.has('RDATE')) throw new FeedError('repeating events (RRULE, RDATE) are not read; list each window');
  const start = event.get('DTSTART');
  if (!start) throw new FeedError('a VEVENT has no DTSTART');
  const startsAt = icalTime(start.params, start.value);
  const end = event.get('DTEND');
  const duration = event.get('DURATION');
  const endsAt = end ? icalTime(end.params, end.value) : duration ? startsAt + icalDuration(duration.value) : null;
  if (endsAt === null) throw new FeedError(`the VEVENT starting ${start.value} has neither DTEND nor DURATION`);
  if (endsAt <= startsAt) throw new FeedError(`the VEVENT starting ${start.value} ends before it starts`);
  const summary = event.get('SUMMARY')?.value ?? event.get('DESCRIPTION')?.value;
  return { startsAt, endsAt, reason: summary ? unescapeText(summary).trim() || DEFAULT_REASON : DEFAULT_REASON };
}

/** `20251219T100000Z` (UTC), `20251219T180000` with TZID=Asia/Taipei or floating (Taiwan time: the platform's), or a DATE. */
function icalTime(params: string, value: string): number {
  const tzid = /;TZID=([^;:]+)/i.exec(params)?.[1];
  if (tzid !== undefined && !/^(Asia\/Taipei|UTC|Etc\/UTC|GMT)$/i.test(tzid)) {
    throw new FeedError(`time zone ${tzid} is not one this reader knows (write times in UTC, or with TZID=Asia/Taipei)`);
  }
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(value.trim());
  if (!m) throw new FeedError(`"${value}" is not an iCalendar date or time`);
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const isUtc = m[7] === 'Z' || (tzid !== undefined && !/^Asia\/Taipei$/i.test(tzid));
  return isUtc ? utc : utc - TAIWAN_OFFSET_MS;
}

/** `PT2H`, `P1DT12H`, `PT90M`: weeks, days, hours, minutes, seconds. */
function icalDuration(value: string): number {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value.trim());
  if (!m || value.trim() === 'P' || value.trim() === 'PT') throw new FeedError(`"${value}" is not an iCalendar duration`);
  const [w, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number];
  return ((((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
}

function unescapeText(text: string): string {
  return text.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

function parseJsonFeed(text: string): FeedWindow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new FeedError(`not JSON: ${(cause as Error).message}`, { cause });
  }
  const list = Array.isArray(data)
    ? data
    : ((data as { announcements?: unknown; windows?: unknown } | null)?.announcements ?? (data as { windows?: unknown } | null)?.windows);
  if (!Array.isArray(list)) throw new FeedError('a JSON feed is a list of windows ([{"start", "end", "description"}])');
  return list.map((item: unknown, i) => {
    const w = (item ?? {}) as Record<string, unknown>;
    const start = w.start ?? w.from;
    const end = w.end ?? w.to;
    const startsAt = typeof start === 'string' ? parseIsoTime(start) : null;
    const endsAt = typeof end === 'string' ? parseIsoTime(end) : null;
    if (startsAt === null || endsAt === null) throw new FeedError(`window ${i}: start and end must be ISO 8601 times`);
    if (endsAt <= startsAt) throw new FeedError(`window ${i}: ends before it starts`);
    const reason = w.description ?? w.reason;
    return { startsAt, endsAt, reason: typeof reason === 'string' && reason.trim() !== '' ? reason.trim() : DEFAULT_REASON };
  });
}
