import { describe, expect, it } from 'vitest';
import { isIgnoredName, reportNames, withSuffix } from '../../src/intake/fileNames.js';
import { taiwanDay, taiwanDayNumber } from '../../src/time/taiwanTime.js';

describe('intake file names', () => {
  it('ignores files still being written by the ERP convention, hidden files and lock files', () => {
    for (const name of ['a.xml.tmp', 'a.XML.TMP', 'b.part', '.hidden.xml', '~$lock.xml']) expect(isIgnoredName(name), name).toBe(true);
    for (const name of ['a.xml', 'F0401_AB12345678.xml', 'tmp.xml', 'a.partial.xml']) expect(isIgnoredName(name), name).toBe(false);
  });

  it('adds a numbered suffix before the extension so nothing is overwritten', () => {
    expect(withSuffix('a.xml', 0)).toBe('a.xml');
    expect(withSuffix('a.xml', 2)).toBe('a~2.xml');
    expect(withSuffix('noext', 1)).toBe('noext~1');
    expect(reportNames('a~2.xml')).toEqual({ json: 'a~2.xml.err.json', text: 'a~2.xml.err.txt' });
  });

  it('dates BAK/ERR folders in Taiwan time whatever the server time zone', () => {
    expect(taiwanDay(Date.UTC(2025, 0, 1, 15, 59, 59))).toBe('20250101');
    expect(taiwanDay(Date.UTC(2025, 0, 1, 16, 0, 0))).toBe('20250102');
    // The day number that tells when a day folder changes turns at the same instant.
    expect(taiwanDayNumber(Date.UTC(2025, 0, 1, 16, 0, 0)) - taiwanDayNumber(Date.UTC(2025, 0, 1, 15, 59, 59, 999))).toBe(1);
    expect(taiwanDayNumber(Date.UTC(2025, 0, 1, 16, 0, 0))).toBe(taiwanDayNumber(Date.UTC(2025, 0, 2, 15, 59, 59, 999)));
  });
});
