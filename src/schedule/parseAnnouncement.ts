/**
 * Reads a maintenance announcement of the e-invoice platform (a tax-bureau letter, a news item or
 * the platform's maintenance page; plain text or HTML, Traditional Chinese, ROC years, Taiwan time)
 * into the windows during which uploads are stopped. Nothing is guessed: a sentence that announces
 * a window but cannot be read with certainty is refused, quoted, so that the operator adds the
 * window by hand. Pure: no I/O and no clock (the import time comes in as `options.now`).
 */
import { TurnkeyError } from '../errors/index.js';

/** Where the year of a window came from when its own sentence does not state it. */
export type YearSource = 'text' | 'document-date' | 'now';

export interface AnnouncedWindow {
  from: Date;
  to: Date;
  /** A short human text: the announcing sentence, whitespace collapsed, at most 120 characters. */
  reason: string;
  /** The whole normalised sentence the window was read from. */
  sentence: string;
  /** Set only when the window's sentence gives no year and it was taken from elsewhere. */
  yearFrom?: YearSource;
  /** The sentence (or table row) saying that Turnkey uploads come back before the platform's window ends. */
  restoredIn?: string;
}

export interface AnnouncementOptions {
  /** the reference time when no year can be found in the text (import time) */
  now: Date;
}

export type AnnouncementErrorCode = 'announcement-unreadable' | 'announcement-empty' | 'announcement-inconsistent';

const ADD_BY_HAND =
  'Read the announcement and add the window by hand, in Taiwan time: ' +
  'turnkey maintenance add --from 2024-12-20T18:00+08:00 --to 2024-12-21T18:00+08:00';

/** An announcement that cannot be turned into windows with certainty. Callers decide on `code`. */
export class AnnouncementError extends TurnkeyError {
  constructor(code: AnnouncementErrorCode, message: string, options: { hint?: string } = {}) {
    super(code, message, { hint: options.hint ?? ADD_BY_HAND });
  }
}

export function parseAnnouncement(text: string, options: AnnouncementOptions): AnnouncedWindow[] {
  return new Reader(prepare(text), options.now).read();
}

// ---------------------------------------------------------------------------------------------
// Text: HTML to lines, characters normalised, wrapped lines mended, sentences.

const TAIWAN_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** Ends a sentence for good (the end of an HTML table); never part of a sentence's text. */
const HARD_BREAK = '\uE000';
const TERMINATORS = new Set(['。', ';', '!', '?', HARD_BREAK]);
const BULLET = /^\s*[●•◎○■□◆◇※★☆▲►]/;

const BLOCK_TAGS =
  /<\/?(?:br|p|div|li|tr|ul|ol|table|tbody|thead|tfoot|h[1-6]|section|article|header|footer|title|dl|dt|dd|blockquote)\b[^>]*>/gi;
const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function prepare(raw: string): string {
  let text = raw.replace(/^\uFEFF/, '');
  // A page (it starts with a tag) is read as a browser would: its own line breaks are only spaces.
  // A letter with a stray tag in it keeps its lines.
  const html = /^\s*</.test(text);
  text = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ');
  if (html) text = text.replace(/\s+/g, ' ');
  text = text
    .replace(/<\/table\s*>/gi, HARD_BREAK)
    .replace(BLOCK_TAGS, '\n')
    // Cells of one row stay on one line: a restoration time and what comes back are read together.
    .replace(/<\/t[dh]\s*>/gi, ' ')
    .replace(/<\/?[a-zA-Z][^>\n]*>/g, '');
  // Entities after the tags, so that an escaped "&lt;p&gt;" stays text.
  text = text.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = /^#x/i.test(name) ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
  return joinWrappedLines(normalizeCharacters(text));
}

function normalizeCharacters(text: string): string {
  return (
    text
      .replace(/\r\n?|[\u2028\u2029]/g, '\n')
      // Full-width ASCII (０-９, （）, ：, ，, ；, ～, －, ！, ？) to half-width.
      .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
      .replace(/\uFF61/g, '。')
      .replace(/[\u3000\u00A0\u2000-\u200A\u202F\u205F\t\f\v]/g, ' ')
      .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
      .replace(/[\u301C\u2053]/g, '~')
      .replace(/[\u2010-\u2015\u2212\uFE58\uFE63]/g, '-')
  );
}

/**
 * Letters come from PDFs, wrapped at the page's width ("…12月22日18時至12" / "月24日18時暫停服務"):
 * a line is joined to the next when, and only when, the join makes a range of two points in time
 * that runs across it.
 */
function joinWrappedLines(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const previous = out[out.length - 1];
    if (previous !== undefined && previous.trim() !== '' && line.trim() !== '' && !/[。;!?\uE000]\s*$/.test(previous)) {
      const tail =
        previous
          .trimEnd()
          .split(/[。;!?\uE000]/)
          .pop() ?? '';
      const head = line.trimStart().split(/[。;!?\uE000]/)[0] ?? '';
      if (rangeAcross(tail, head)) {
        out[out.length - 1] = previous.trimEnd() + line.trimStart();
        continue;
      }
    }
    out.push(line);
  }
  return out.join('\n');
}

function rangeAcross(tail: string, head: string): boolean {
  const joined = tail + head;
  const found = scanPoints(joined);
  for (let i = 0; i + 1 < found.length; i++) {
    const a = found[i]!;
    const b = found[i + 1]!;
    if (a.start < tail.length && b.end > tail.length && joins(joined.slice(a.end, b.start))) return true;
  }
  return false;
}

interface Sentence {
  index: number;
  /** As in the text; offsets of points are global, from `start`. */
  raw: string;
  start: number;
  /** Whitespace collapsed: what is quoted and returned. */
  text: string;
  /** Ended by 。；!? or a table's end rather than by a line break. */
  hardEnd: boolean;
  bullet: boolean;
}

function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c !== undefined && c !== '\n' && !TERMINATORS.has(c)) continue;
    const raw = text.slice(start, i);
    const collapsed = collapse(raw);
    if (collapsed !== '') out.push({ index: out.length, raw, start, text: collapsed, hardEnd: c !== '\n', bullet: BULLET.test(raw) });
    start = i + 1;
  }
  return out;
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

function shorten(s: string, max = 120): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** The sentence without its list marker or letter heading: "一、", "1.", "●", "主旨:". */
const reasonOf = (sentence: string): string =>
  shorten(
    sentence.replace(/^(?:[●•◎○■□◆◇※★☆▲►*-]\s*|[一二三四五六七八九十]+、\s*|\(?\d{1,2}[.、)]\s*|主旨\s*:\s*)+/, '').trim() || sentence,
  );

// ---------------------------------------------------------------------------------------------
// Points in time.

const YEAR = String.raw`(?:(?:(?:中華)?民國|西元|公元)?\s*(?:(?<y>\d{2,4})\s*年|本\s*\(\s*(?<by>\d{2,4})\s*\)\s*年|(?<yw>本年|今年|同年))\s*)`;
const CJK_DATE = String.raw`(?:(?<same>同年同月|同年月|同月)\s*|${YEAR}?(?<m>\d{1,2})\s*月\s*)?(?<d>\d{1,2})\s*日`;
// 113.12.21, 2023-12-11, 2023/12/22: a three-digit year is ROC, four digits Gregorian.
const NUMERIC_DATE = String.raw`(?<ny>\d{3,4})(?<sep>[./-])(?<nm>\d{1,2})\k<sep>(?<nd>\d{1,2})(?!\d)(?!\.\d)`;
const RELATIVE_DAY = String.raw`(?<rel>翌日|次日|隔日|隔天|翌天|次天|當日|當天|同日)`;
const WEEKDAY = String.raw`(?:\(\s*(?:星期|週|周|禮拜)?\s*(?<wd1>[一二三四五六日天])\s*\)|(?:星期|週|周|禮拜)(?<wd2>[一二三四五六日天]))`;
const PERIOD = String.raw`(?<ap>上午|早上|凌晨|清晨|中午|下午|傍晚|晚上|晚間|夜間)`;
// "時" of 時段/時間/時程 is not an hour; "點鐘" is.
const TIME =
  String.raw`(?:(?<h>\d{1,2})\s*(?:時(?![段間程數])|點鐘?)(?:\s*(?<mi>\d{1,2})\s*分|\s*(?<half>半))?(?:\s*整)?` +
  String.raw`|(?<hh>\d{1,2}):(?<mm>\d{2})(?::00)?(?!\d))`;
const POINT = new RegExp(
  String.raw`(?<![\d.])(?:(?:${NUMERIC_DATE}|${CJK_DATE}|${RELATIVE_DAY})(?:\s*${WEEKDAY})?)?(?:\s*${PERIOD})?(?:\s*${TIME})?`,
  'g',
);

/** What stops: a range in a sentence without one of these is a period of something else (a deadline, office hours). */
const SUSPENDS = /暫停|停止|維護|停機|中斷|無法|不受理|停用|關閉|暫不/;
const TURNKEY = /turnkey|傳輸軟體|上傳/i;
const RESTORES = /恢復|恢愎|開放|上線|啟用|重啟|重新啟動|正常運作/;
/** "分階段恢復服務如下表", a table headed "恢復時間": the rows that follow tell what comes back when. */
const RESTORATION_TABLE = /恢復.*(?:如下|時間|階段|時程)|(?:如下|時間|階段|時程).*恢復/;

const JOIN = /^\s*(?:起\s*)?,?\s*(?:至|到|~|-)\s*(?:自\s*)?$/;
/** "X起暫停服務，預計至Y止": from X until Y, as long as what lies between speaks of stopping. */
const FROM_UNTIL = /^\s*起(.{0,40}?)(?:至|到)\s*$/;
const LOOSE_JOIN = /[至到~-]/;
const OPEN_ENDED = /^\s*起\s*(?:將\s*)?(?:暫停|停止|停機|中斷)/;

function joins(between: string): boolean {
  if (JOIN.test(between)) return true;
  const filler = FROM_UNTIL.exec(between)?.[1];
  return filler !== undefined && SUSPENDS.test(filler);
}

interface Found {
  start: number;
  end: number;
  text: string;
  groups: Record<string, string | undefined>;
}

function scanPoints(text: string): Found[] {
  const out: Found[] = [];
  const re = new RegExp(POINT.source, 'g');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const groups = m.groups ?? {};
    const hasDate = groups.ny !== undefined || groups.d !== undefined || groups.rel !== undefined;
    const hasTime = groups.h !== undefined || groups.hh !== undefined;
    if (!hasDate && !hasTime) continue; // a lone 上午 or 下午
    const lead = m[0].length - m[0].trimStart().length;
    out.push({ start: m.index + lead, end: m.index + m[0].length, text: m[0].trim(), groups });
  }
  return out;
}

const WEEKDAYS = '日一二三四五六';
const MORNING = new Set(['上午', '早上', '凌晨', '清晨']);
const EVENING = new Set(['下午', '傍晚', '晚上', '晚間', '夜間']);

interface Point {
  /** Reading order over the whole text. */
  index: number;
  sentence: Sentence;
  start: number;
  end: number;
  text: string;
  /** Gregorian, from digits (ROC years converted); `badYear` when the digits make no year. */
  year?: number;
  badYear?: string;
  /** 本(112)年: states the year and that it is the document's. */
  statesThisYear: boolean;
  yearWord?: 'this' | 'same';
  sameMonth: boolean;
  month?: number;
  day?: number;
  relative?: 'next' | 'same';
  weekday?: number;
  period?: string;
  hour?: number;
  minute?: number;
  inDocumentDate: boolean;
  role: 'start' | 'end' | 'alone';
  rangeStart?: Point;
}

function gregorian(digits: string): number | undefined {
  const n = Number(digits);
  if (digits.length === 4) return n >= 1912 ? n : undefined;
  return n + 1911;
}

function toPoint(found: Found, sentence: Sentence, index: number): Point {
  const g = found.groups;
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const yearDigits = g.ny ?? g.y ?? g.by;
  const year = yearDigits === undefined ? undefined : gregorian(yearDigits);
  const wd = g.wd1 ?? g.wd2;
  const yw = g.yw;
  return {
    index,
    sentence,
    start: sentence.start + found.start,
    end: sentence.start + found.end,
    text: found.text,
    year,
    badYear: yearDigits !== undefined && year === undefined ? yearDigits : undefined,
    statesThisYear: g.by !== undefined,
    yearWord: yw === undefined ? undefined : yw === '同年' ? 'same' : 'this',
    sameMonth: g.same !== undefined,
    month: num(g.nm ?? g.m),
    day: num(g.nd ?? g.d),
    relative: g.rel === undefined ? undefined : /[翌次隔]/.test(g.rel) ? 'next' : 'same',
    weekday: wd === undefined ? undefined : wd === '天' ? 0 : WEEKDAYS.indexOf(wd),
    period: g.ap,
    hour: num(g.h ?? g.hh),
    minute: g.half !== undefined ? 30 : num(g.mi ?? g.mm),
    inDocumentDate: false,
    role: 'alone',
  };
}

interface Day {
  y: number;
  m: number;
  d: number;
  yearFrom?: YearSource;
}

const dayStart = (day: Day): number => Date.UTC(day.y, day.m - 1, day.d) - TAIWAN_OFFSET_MS;
const ymd = (day: Day): string => `${day.y}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
const taiwan = (ms: number): string => new Date(ms + TAIWAN_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');

function addDays(day: Day, n: number): Day {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate(), yearFrom: day.yearFrom };
}

function dateExists(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** The hour as on a 24-hour clock, or why it cannot be told; undefined when the point has no hour. */
function clockOf(p: Point): { hour: number; minute: number } | string | undefined {
  if (p.hour === undefined) return undefined;
  let hour = p.hour;
  const minute = p.minute ?? 0;
  const said = p.period;
  if (said !== undefined && MORNING.has(said)) {
    if (hour === 12) return `"${p.text}" could be noon or midnight`;
    if (hour > 12) return `"${p.text}" says ${said} of an afternoon hour`;
  } else if (said === '中午') {
    if (hour === 1 || hour === 2) hour += 12;
    else if (hour < 12 || hour > 14) return `"${p.text}" is not an hour around noon`;
  } else if (said !== undefined && EVENING.has(said)) {
    if (hour < 12) hour += 12;
    else if (hour === 12 && said !== '下午') return `"${p.text}" could be noon or midnight`;
  }
  if (minute > 59) return `"${p.text}" has no such minute`;
  if (hour > 24 || (hour === 24 && minute > 0)) return `"${p.text}" has no such hour`;
  return { hour, minute };
}

// ---------------------------------------------------------------------------------------------
// Reading.

interface Occurrence {
  from: number;
  to: number;
  sentence: Sentence;
  yearFrom?: YearSource;
  /** The sentence speaks of Turnkey or uploads: its window is the uploads' own. */
  uploads: boolean;
}

interface Entry {
  from: number;
  to: number;
  occurrences: Occurrence[];
  uploads: boolean;
}

interface Restoration {
  at: number;
  sentence: Sentence;
}

const YEAR_STRENGTH = (o: Occurrence): number => (o.yearFrom === undefined ? 0 : ['text', 'document-date', 'now'].indexOf(o.yearFrom) + 1);

class Reader {
  private readonly sentences: Sentence[];
  private readonly points: Point[] = [];
  private readonly bySentence = new Map<Sentence, Point[]>();
  private readonly days = new Map<Point, Day | string>();
  private readonly documentDates: { start: number; year: number }[] = [];
  private readonly now: number;
  private readonly nowYear: number;

  constructor(text: string, now: Date) {
    this.now = now.getTime();
    this.nowYear = new Date(this.now + TAIWAN_OFFSET_MS).getUTCFullYear();
    this.sentences = splitSentences(text);
    const spans = this.findDocumentDates(text);
    for (const s of this.sentences) {
      const found = scanPoints(s.raw).map((f, i) => toPoint(f, s, this.points.length + i));
      for (const p of found) p.inDocumentDate = spans.some(([a, b]) => p.start >= a && p.start < b);
      for (let i = 0; i + 1 < found.length; i++) {
        const a = found[i]!;
        const b = found[i + 1]!;
        if (a.role === 'alone' && joins(s.raw.slice(a.end - s.start, b.start - s.start))) {
          a.role = 'start';
          b.role = 'end';
          b.rangeStart = a;
        }
      }
      this.points.push(...found);
      this.bySentence.set(s, found);
    }
    // In reading order, so that a point that leans on an earlier one finds it read.
    for (const p of this.points) this.days.set(p, this.resolveDay(p));
  }

  read(): AnnouncedWindow[] {
    const occurrences = this.sentences.flatMap((s) => this.windowsOf(s));
    if (occurrences.length === 0) {
      throw new AnnouncementError(
        'announcement-empty',
        'No maintenance window found: no sentence gives a start and an end together with a stop or maintenance of the platform.',
        {
          hint: 'If the text does announce a window, add it by hand, in Taiwan time: turnkey maintenance add --from <start> --to <end>',
        },
      );
    }
    const windows = this.consolidate(occurrences);
    const restorations = this.restorations(windows);
    return windows
      .map((entry) => this.finish(entry, restorations))
      .sort((a, b) => a.from.getTime() - b.from.getTime() || a.to.getTime() - b.to.getTime());
  }

  // ----- windows

  private windowsOf(s: Sentence): Occurrence[] {
    if (!SUSPENDS.test(s.raw)) return [];
    const points = this.bySentence.get(s) ?? [];
    const out: Occurrence[] = [];
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      const next = points[i + 1];
      if (p.role === 'start' && next !== undefined) {
        const from = this.instant(p, s);
        const to = this.instant(next, s);
        if (to <= from) {
          throw new AnnouncementError(
            'announcement-inconsistent',
            `The window in "${shorten(s.text)}" ends (${taiwan(to)}) before it starts (${taiwan(from)}).`,
          );
        }
        const yearFrom = (this.days.get(p) as Day).yearFrom;
        // A year taken from the clock is a guess once the window is over: refuse rather than roll it on.
        if (yearFrom === 'now' && to <= this.now) {
          this.unreadable(s, `no year is given, and in ${new Date(from + TAIWAN_OFFSET_MS).getUTCFullYear()} the window is already over`);
        }
        out.push({ from, to, sentence: s, yearFrom, uploads: TURNKEY.test(s.raw) });
        continue;
      }
      const between = next === undefined ? '' : s.raw.slice(p.end - s.start, next.start - s.start);
      const loose = p.role === 'alone' && !p.inDocumentDate && next !== undefined && next.role !== 'end' && LOOSE_JOIN.test(between);
      if (loose) {
        this.unreadable(s, `cannot tell where the window starts and ends ("${p.text}" … "${next.text}")`);
      }
      if (p.role === 'alone' && OPEN_ENDED.test(s.raw.slice(p.end - s.start))) {
        this.unreadable(s, `"${p.text}" starts a stop but no end is given`);
      }
    }
    return out;
  }

  /** The instant of a point of a window, or the sentence refused with what is missing. */
  private instant(p: Point, s: Sentence): number {
    const day = this.days.get(p);
    if (day === undefined || typeof day === 'string') return this.unreadable(s, day ?? `"${p.text}" cannot be read`);
    const clock = clockOf(p);
    if (clock === undefined) return this.unreadable(s, `"${p.text}" gives no hour (a day alone is not read as midnight)`);
    if (typeof clock === 'string') return this.unreadable(s, clock);
    // Date.UTC carries 24:00 over to the next day's 00:00.
    return Date.UTC(day.y, day.m - 1, day.d, clock.hour, clock.minute) - TAIWAN_OFFSET_MS;
  }

  /**
   * Identical windows are one. Windows that overlap but differ cannot both be the same stop, except
   * that a window stated for Turnkey or uploads is the uploads' own (2018: the platform 08:00-16:00,
   * Turnkey unable to connect 08:00-14:30).
   */
  private consolidate(occurrences: Occurrence[]): Entry[] {
    const entries: Entry[] = [];
    for (const o of occurrences) {
      const same = entries.find((e) => e.from === o.from && e.to === o.to);
      if (same === undefined) entries.push({ from: o.from, to: o.to, occurrences: [o], uploads: o.uploads });
      else {
        same.occurrences.push(o);
        same.uploads ||= o.uploads;
      }
    }
    entries.sort((a, b) => a.from - b.from || a.to - b.to);
    const groups: Entry[][] = [];
    let reach = -Infinity;
    for (const e of entries) {
      const last = groups[groups.length - 1];
      if (last !== undefined && e.from < reach) last.push(e);
      else groups.push([e]);
      reach = last !== undefined && e.from < reach ? Math.max(reach, e.to) : e.to;
    }
    return groups.map((group) => {
      const uploads = group.filter((e) => e.uploads);
      const general = group.filter((e) => !e.uploads);
      for (const set of [general, uploads]) {
        if (set.length > 1) this.inconsistent(set[0]!, set[1]!);
      }
      return uploads[0] ?? general[0]!;
    });
  }

  // ----- phased restoration

  /**
   * Times at which Turnkey uploads come back inside a window: a sentence naming Turnkey or uploads
   * with 恢復/開放/上線…, or a row of a restoration table (whose time may sit in an earlier row, as a
   * cell spanning rows does). Rows about other services only (兌獎, APP, Kiosk…) change nothing.
   */
  private restorations(windows: Entry[]): Restoration[] {
    const out: Restoration[] = [];
    const inside = (at: number): boolean => windows.some((w) => w.from < at && at < w.to);
    let inTable = false;
    let rowTime: number | undefined;
    for (const s of this.sentences) {
      if (RESTORATION_TABLE.test(s.raw)) {
        inTable = true;
        rowTime = undefined;
      } else if (s.bullet) inTable = false;
      const alone = (this.bySentence.get(s) ?? []).filter((p) => p.role === 'alone');
      const times: number[] = [];
      for (const p of alone) {
        const day = this.days.get(p);
        const clock = clockOf(p);
        if (typeof day === 'object' && typeof clock === 'object')
          times.push(Date.UTC(day.y, day.m - 1, day.d, clock.hour, clock.minute) - TAIWAN_OFFSET_MS);
      }
      if (TURNKEY.test(s.raw) && (inTable || RESTORES.test(s.raw))) {
        for (const p of alone) this.checkRestorationPoint(p, s, windows);
        const candidates = times.length > 0 ? times : inTable && rowTime !== undefined ? [rowTime] : [];
        const within = [...new Set(candidates.filter(inside))];
        if (within.length > 1) this.unreadable(s, 'it gives several times and cannot tell which is the one Turnkey uploads come back at');
        if (within[0] !== undefined) out.push({ at: within[0], sentence: s });
      }
      if (inTable && times.length > 0) rowTime = times[times.length - 1];
      if (s.hardEnd) inTable = false;
    }
    return out;
  }

  /** A time in a sentence about Turnkey coming back must be readable if it may fall in a window. */
  private checkRestorationPoint(p: Point, s: Sentence, windows: Entry[]): void {
    const day = this.days.get(p);
    if (typeof day !== 'object') return this.unreadable(s, day ?? `"${p.text}" cannot be read`);
    const clock = clockOf(p);
    if (typeof clock === 'string') return this.unreadable(s, clock);
    const from = dayStart(day);
    if (clock === undefined && windows.some((w) => from < w.to && w.from < from + DAY_MS)) {
      this.unreadable(s, `"${p.text}" gives no hour for Turnkey uploads to come back`);
    }
  }

  private finish(entry: Entry, restorations: Restoration[]): AnnouncedWindow {
    const back = restorations.filter((r) => entry.from < r.at && r.at < entry.to);
    const times = [...new Set(back.map((r) => r.at))];
    if (times.length > 1) {
      const [a, b] = [back.find((r) => r.at === times[0])!, back.find((r) => r.at === times[1])!];
      throw new AnnouncementError(
        'announcement-inconsistent',
        `Turnkey uploads come back at two different times: ${taiwan(a.at)} in "${shorten(a.sentence.text)}" ` +
          `and ${taiwan(b.at)} in "${shorten(b.sentence.text)}".`,
      );
    }
    // The sentence whose year is the surest speaks for the window (the letter's 本(112)年 over a bare 本年).
    const best = [...entry.occurrences].sort((a, b) => YEAR_STRENGTH(a) - YEAR_STRENGTH(b))[0]!;
    const window: AnnouncedWindow = {
      from: new Date(entry.from),
      to: new Date(back[0]?.at ?? entry.to),
      reason: reasonOf(best.sentence.text),
      sentence: best.sentence.text,
    };
    if (best.yearFrom !== undefined) window.yearFrom = best.yearFrom;
    if (back[0] !== undefined) window.restoredIn = back[0].sentence.text;
    return window;
  }

  // ----- days and years

  private resolveDay(p: Point): Day | string {
    let base: Day | undefined;
    if (p.role === 'end') {
      const start = p.rangeStart === undefined ? undefined : this.days.get(p.rangeStart);
      if (typeof start !== 'object') return start ?? `"${p.text}" cannot be read`;
      base = start;
    }
    if (p.badYear !== undefined) return `"${p.text}": ${p.badYear} is not a year`;
    let day: Day;
    if (p.relative !== undefined) {
      const from = base ?? this.previousDay(p, { sameSentence: true });
      if (from === undefined) return `"${p.text}" does not say which day it follows`;
      day = p.relative === 'next' ? addDays(from, 1) : from;
    } else if (p.day === undefined) {
      // A time alone: the start's day for an end (16:00 after 08:00), or a day just named on its own.
      const from = base ?? this.previousDay(p, { sameSentence: true, dayOnly: true });
      if (from === undefined) return `"${p.text}" gives an hour without its day`;
      day = from;
    } else {
      let y: number;
      let m = p.month;
      let yearFrom: YearSource | undefined;
      if (p.year !== undefined) y = p.year;
      else if (p.sameMonth || m === undefined || p.yearWord === 'same') {
        // 同年月24日, 24日, 同年12月24日: the start's (or an earlier point's) year and month. A window's
        // start must find them in its own sentence: a letter's other dates are of other things.
        const from = base ?? this.previousDay(p, { sameSentence: p.role === 'start' });
        if (from === undefined) return `"${p.text}" gives a day without its ${m === undefined ? 'month' : 'year'}`;
        y = from.y;
        m ??= from.m;
        if (p.sameMonth) m = from.m;
        yearFrom = from.yearFrom;
      } else if (p.yearWord === 'this') ({ y, yearFrom } = this.thisYear(p));
      else if (base !== undefined) ({ y, yearFrom } = base);
      else ({ y, yearFrom } = this.inferYear(p));
      if (m === undefined) return `"${p.text}" gives a day without its month`;
      if (!dateExists(y, m, p.day)) return `"${p.text}" is not a date (there is no ${m}月${p.day}日 in ${y})`;
      day = { y, m, d: p.day, yearFrom };
    }
    if (p.weekday !== undefined) {
      const actual = new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay();
      // The weekday is how a typo in the date shows: it must agree.
      if (actual !== p.weekday) return `"${p.text}" says 星期${WEEKDAYS[p.weekday]} but ${ymd(day)} is a 星期${WEEKDAYS[actual]}`;
    }
    return day;
  }

  private previousDay(p: Point, options: { sameSentence?: boolean; dayOnly?: boolean }): Day | undefined {
    for (let i = p.index - 1; i >= 0; i--) {
      const q = this.points[i]!;
      if (options.sameSentence && q.sentence !== p.sentence) return undefined;
      if (q.inDocumentDate || (options.dayOnly && q.hour !== undefined)) continue;
      const day = this.days.get(q);
      if (typeof day === 'object') return day;
    }
    return undefined;
  }

  /** A day with no year: a year stated earlier in the text, else the document's date, else now. */
  private inferYear(p: Point): { y: number; yearFrom: YearSource } {
    for (let i = p.index - 1; i >= 0; i--) {
      const q = this.points[i]!;
      if (q.year !== undefined && !q.inDocumentDate) return { y: q.year, yearFrom: 'text' };
    }
    return this.documentYear(p) ?? { y: this.nowYear, yearFrom: 'now' };
  }

  /** 本年/今年: the document's year, as 本(112)年 states it, else its date, else now. */
  private thisYear(p: Point): { y: number; yearFrom: YearSource } {
    const stated = this.points.filter((q) => q.statesThisYear && q.year !== undefined);
    const q = [...stated].reverse().find((x) => x.index < p.index) ?? stated[0];
    if (q?.year !== undefined) return { y: q.year, yearFrom: 'text' };
    return this.documentYear(p) ?? { y: this.nowYear, yearFrom: 'now' };
  }

  /** The nearest document date before the point (a letter's 發文日期), else after it (a page's 發布日期 at its foot). */
  private documentYear(p: Point): { y: number; yearFrom: YearSource } | undefined {
    const before = this.documentDates.filter((d) => d.start < p.start).pop();
    const found = before ?? this.documentDates.find((d) => d.start > p.start);
    return found === undefined ? undefined : { y: found.year, yearFrom: 'document-date' };
  }

  /** 發文日期：中華民國112年12月15日, 日期：2023-12-11, 發布日期：2023-12-13: returns their spans. */
  private findDocumentDates(text: string): [number, number][] {
    const spans: [number, number][] = [];
    const re = /日期\s*:\s*((?:(?:中華)?民國\s*)?(\d{2,4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(\d{3,4})([./-])\d{1,2}\4\d{1,2})/g;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const year = gregorian(m[2] ?? m[3] ?? '');
      const start = m.index + m[0].length - (m[1] ?? '').length;
      if (year !== undefined) this.documentDates.push({ start, year });
      spans.push([start, m.index + m[0].length]);
    }
    return spans;
  }

  // ----- refusals

  private unreadable(s: Sentence, why: string): never {
    throw new AnnouncementError('announcement-unreadable', `Cannot read the maintenance window in "${shorten(s.text)}": ${why}.`);
  }

  private inconsistent(a: Entry, b: Entry): never {
    const say = (e: Entry): string => `${taiwan(e.from)} to ${taiwan(e.to)} in "${shorten(e.occurrences[0]!.sentence.text)}"`;
    throw new AnnouncementError(
      'announcement-inconsistent',
      `The announcement gives two different windows for one stop: ${say(a)}, and ${say(b)}.`,
    );
  }
}
