import { toTaiwanIso } from '../time/taiwanTime.js';

/**
 * One JSON log line as a line for people at a terminal: Taiwan time, level, event, message, then
 * the record's other fields as `name=value` (at most MAX_FIELDS, long values cut), and an error's
 * type and message (its stack too, at error and fatal). Written here rather than with pino-pretty:
 * that is a transport (a worker thread, asynchronous writes: what the daemon avoids, see
 * createLogger) with a dozen dependencies, for what is a few dozen lines on a synchronous path.
 * Control and bidirectional-override characters in values are escaped: a file name the ERP chose is
 * never a terminal escape sequence. Colours only when asked (the caller: stdout is a TTY).
 */
export function prettyLine(line: string, colors: boolean): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return line.endsWith('\n') ? line : `${line}\n`;
  const r = record as Record<string, unknown>;
  const level = levelName(r.level);
  const paint = colors ? (code: string, text: string) => `\x1b[${code}m${text}\x1b[0m` : (_code: string, text: string) => text;
  const parts = [formatTime(r.time), paint(LEVEL_COLORS[level] ?? '0', level.toUpperCase().padEnd(5))];
  if (typeof r.event === 'string') parts.push(paint('1', safe(r.event)));
  if (r.msg !== undefined) parts.push(safe(String(r.msg)));
  const fields: string[] = [];
  let more = 0;
  for (const key of Object.keys(r)) {
    if (HIDDEN.has(key) || r[key] === undefined) continue;
    if (fields.length === MAX_FIELDS) {
      more++;
      continue;
    }
    fields.push(`${paint('2', `${safe(key)}=`)}${formatValue(r[key])}`);
  }
  if (more > 0) fields.push(paint('2', `(+${more} more)`));
  let text = parts.join(' ');
  if (fields.length > 0) text += `  ${fields.join(' ')}`;
  const err = r.err ?? r.error;
  if (err !== undefined) text += formatError(err, (LEVEL_RANK[level] ?? 0) >= STACK_FROM);
  return `${text}\n`;
}

/** At most this many fields after the message; the rest are counted. */
const MAX_FIELDS = 10;
/** A longer value is cut, with `…`. */
const MAX_VALUE = 160;

/** Fields shown in the line's head, or not at all (the host is the machine's, the pid the process's). */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'event', 'msg', 'err', 'error']);

const LEVEL_COLORS: Record<string, string> = { fatal: '97;41', error: '31', warn: '33', info: '32', debug: '36', trace: '90' };
const LEVEL_RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
/** Stacks are shown from this level up. */
const STACK_FROM = 50;
const LEVEL_BY_NUMBER: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function levelName(level: unknown): string {
  if (typeof level === 'number') return LEVEL_BY_NUMBER[level] ?? String(level);
  return typeof level === 'string' ? safe(level) : '?';
}

/** `2026-10-05 18:15:00.123+08:00`: Taiwan time, as the platform and the ERP's people read times. */
function formatTime(time: unknown): string {
  const at = typeof time === 'string' || typeof time === 'number' ? new Date(time) : null;
  if (at === null || Number.isNaN(at.getTime())) return safe(String(time));
  return toTaiwanIso(at).replace('T', ' ');
}

function formatValue(value: unknown): string {
  let text: string;
  // Quoted when it holds a space, a quote, `=`, a backslash or a control character: what is shown bare is the value itself.
  if (typeof value === 'string') text = /^[^\s"=\\]+$/.test(value) && safe(value) === value ? value : JSON.stringify(value);
  else if (typeof value === 'object' && value !== null) text = JSON.stringify(value);
  else text = String(value);
  text = safe(text);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function formatError(err: unknown, withStack: boolean): string {
  if (typeof err !== 'object' || err === null) return `\n    ${safe(String(err))}`;
  const e = err as { type?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? ` [${safe(String(e.code))}]` : '';
  const head = `\n    ${safe(String(e.type ?? 'Error'))}${code}: ${safe(String(e.message ?? ''))}`;
  if (!withStack || typeof e.stack !== 'string') return head;
  // The stack's first line repeats the message; its frames follow, indented.
  const frames = e.stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l) || /^caused by: /.test(l))
    .map((l) => `\n      ${safe(l.trim())}`);
  return head + frames.join('');
}

/** Escapes C0/C1 control characters, line and paragraph separators and bidirectional overrides. */
function safe(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
