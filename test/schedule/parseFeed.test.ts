import { describe, expect, it } from 'vitest';
import { FeedError, parseFeed, parseICalendar } from '../../src/schedule/parseFeed.js';
import { renderICalendar } from '../../src/sim/maintenance/icalendar.js';
import { MaintenanceCalendar } from '../../src/sim/maintenance/MaintenanceCalendar.js';

const NOW = new Date('2026-12-06T04:00:00Z');

describe('parseFeed', () => {
  it('reads back the iCalendar the simulator serves, long Chinese summaries folded', () => {
    const reason = '電子發票整合服務平台年度系統升級，暫停上傳與 Turnkey 傳輸；請於維護結束後確認所有發票皆已上傳完成。';
    const calendar = new MaintenanceCalendar([
      { start: '2026-12-18T18:00:00+08:00', end: '2026-12-19T12:00:00+08:00', description: reason },
    ]);
    expect(parseFeed(renderICalendar(calendar.list()), 'auto', NOW)).toEqual([
      { startsAt: Date.parse('2026-12-18T10:00:00Z'), endsAt: Date.parse('2026-12-19T04:00:00Z'), reason },
    ]);
  });

  it('reads Taiwan-time and floating times, all-day dates, DURATION, and leaves out cancelled events', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'DTSTART;TZID=Asia/Taipei:20261218T180000',
      'DURATION:PT18H',
      'SUMMARY:upgrade\\, phase 1',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20261224',
      'DTEND;VALUE=DATE:20261225',
      'SUMMARY:all day',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'STATUS:CANCELLED',
      'DTSTART:20261230T070000',
      'DTEND:20261230T090000',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\n');
    expect(parseICalendar(ics)).toEqual([
      { startsAt: Date.parse('2026-12-18T10:00:00Z'), endsAt: Date.parse('2026-12-19T04:00:00Z'), reason: 'upgrade, phase 1' },
      { startsAt: Date.parse('2026-12-23T16:00:00Z'), endsAt: Date.parse('2026-12-24T16:00:00Z'), reason: 'all day' },
    ]);
  });

  it('refuses a whole feed it cannot read with certainty', () => {
    expect(() => parseICalendar('BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=Europe/Paris:20261218T180000\nEND:VEVENT')).toThrow(FeedError);
    expect(() => parseICalendar('BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261218T180000\nEND:VEVENT')).toThrow(/neither DTEND/);
    expect(() => parseFeed('[{"start":"2026-12-18T18:00","end":"2026-12-18T17:00"}]', 'json', NOW)).toThrow(/ends before it starts/);
    expect(() => parseFeed('{"items":[]}', 'json', NOW)).toThrow(/list of windows/);
  });

  it('reads the JSON list the simulator serves, and a maintenance notice in Chinese', () => {
    const json = '[{"id":"x","start":"2026-12-18T18:00:00.000+08:00","end":"2026-12-19T12:00:00.000+08:00","description":"年度升級"}]';
    expect(parseFeed(json, 'auto', NOW)).toEqual([
      { startsAt: Date.parse('2026-12-18T10:00:00Z'), endsAt: Date.parse('2026-12-19T04:00:00Z'), reason: '年度升級' },
    ]);
    const notice = '本平台定於115年12月18日(五)18時至19日(六)12時暫停服務，辦理年度系統升級。';
    expect(parseFeed(notice, 'auto', NOW).map((w) => [w.startsAt, w.endsAt])).toEqual([
      [Date.parse('2026-12-18T10:00:00Z'), Date.parse('2026-12-19T04:00:00Z')],
    ]);
  });

  it('reads a maintenance page that announces nothing (any more) as no windows, and refuses repeating events', () => {
    expect(parseFeed('<html><body><p>目前無系統維護公告。</p></body></html>', 'notice', NOW)).toEqual([]);
    const repeating = 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261218T100000Z\nDTEND:20261218T120000Z\nRRULE:FREQ=WEEKLY\nEND:VEVENT';
    expect(() => parseICalendar(repeating)).toThrow(/repeating events/);
  });
});
