import { describe, expect, it } from 'vitest';
import { renderICalendar } from '../../src/sim/maintenance/icalendar.js';
import { MaintenanceCalendar } from '../../src/sim/maintenance/MaintenanceCalendar.js';

describe('iCalendar', () => {
  it('folds long lines at 75 octets without splitting a UTF-8 character, and unfolds to the original', () => {
    const description = '電子發票整合服務平台年度系統升級，暫停上傳與 Turnkey 傳輸；請於維護結束後確認所有發票皆已上傳完成。'.repeat(2);
    const calendar = new MaintenanceCalendar(
      [{ start: '2025-12-19T18:00:00+08:00', end: '2025-12-20T12:00:00+08:00', description }],
      new Date('2025-12-01T00:00:00Z'),
    );
    const ics = renderICalendar(calendar.list());
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(ics).not.toContain('\uFFFD');
    const summary = ics
      .replace(/\r\n /g, '')
      .split('\r\n')
      .find((l) => l.startsWith('SUMMARY:'))!;
    expect(summary).toBe(`SUMMARY:${description.replace(/;/g, '\\;').replace(/,/g, '\\,')}`);
    expect(ics).toContain('DTSTAMP:20251201T000000Z\r\n');
  });
});
