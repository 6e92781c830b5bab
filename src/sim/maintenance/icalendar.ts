import type { MaintenanceWindow } from './MaintenanceCalendar.js';

const CRLF = '\r\n';
/** RFC 5545: lines longer than 75 octets are folded (CRLF + one space). */
const MAX_LINE_OCTETS = 75;

/**
 * The windows as an iCalendar (RFC 5545) feed: one VEVENT per window, times in UTC, CRLF line
 * ends, long lines folded without splitting a UTF-8 character.
 */
export function renderICalendar(windows: readonly MaintenanceWindow[]): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//turnkey//platform simulator//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'X-WR-CALNAME:E-Invoice Platform maintenance (simulator)',
    'X-WR-TIMEZONE:Asia/Taipei',
  ];
  for (const w of windows) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${w.id}@turnkey-sim.invalid`,
      `DTSTAMP:${utcStamp(w.announcedAt)}`,
      `DTSTART:${utcStamp(w.start)}`,
      `DTEND:${utcStamp(w.end)}`,
      `SUMMARY:${escapeText(w.description)}`,
      'TRANSP:OPAQUE',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join(CRLF) + CRLF;
}

/** `20251219T100000Z`. */
export function utcStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r?\n|\r/g, '\\n');
}

function fold(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= MAX_LINE_OCTETS) return line;
  const parts: string[] = [];
  let current = '';
  let currentOctets = 0;
  for (const char of line) {
    const octets = Buffer.byteLength(char, 'utf8');
    // Continuation lines start with a space, which counts toward their 75 octets.
    const limit = parts.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (currentOctets + octets > limit) {
      parts.push(current);
      current = '';
      currentOctets = 0;
    }
    current += char;
    currentOctets += octets;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}
