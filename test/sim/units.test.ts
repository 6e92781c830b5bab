import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { periodOfDate } from '../../src/time/periods.js';
import { renderICalendar } from '../../src/sim/maintenance/icalendar.js';
import { MaintenanceCalendar } from '../../src/sim/maintenance/MaintenanceCalendar.js';
import { summaryResultXml } from '../../src/sim/results/summaryResultXml.js';
import { loadOrCreateHostKey } from '../../src/sim/sftp/hostKey.js';
import { resolveSftpPath } from '../../src/sim/sftp/sftpPaths.js';
import { parseBasicAuth } from '../../src/sim/gateway/basicAuth.js';
import { resultValidator } from './helpers/results.js';

describe('SFTP paths', () => {
  it('maps the view: root, in/, out/ and the files in them', () => {
    expect(resolveSftpPath('.')).toEqual({ kind: 'root', path: '/' });
    expect(resolveSftpPath('')).toEqual({ kind: 'root', path: '/' });
    expect(resolveSftpPath('out/')).toEqual({ kind: 'area', area: 'out', path: '/out' });
    expect(resolveSftpPath('/in/./a-file')).toEqual({ kind: 'file', area: 'in', name: 'a-file', path: '/in/a-file' });
  });

  it('refuses traversal, NUL bytes, hidden names and sub-folders', () => {
    for (const path of ['in/../x', '../in/x', 'in/..', 'in/x\0y', 'in/.hidden', 'in/a/b', 'etc/passwd', 'in/a\\b']) {
      expect(resolveSftpPath(path).kind).toBe('outside');
    }
  });
});

describe('iCalendar', () => {
  it('folds long lines at 75 octets without splitting a UTF-8 character, and unfolds to the original', () => {
    const description = '電子發票整合服務平台年度系統升級，暫停上傳與 Turnkey 傳輸；請於維護結束後確認所有發票皆已上傳完成。'.repeat(2);
    const calendar = new MaintenanceCalendar([{ start: '2025-12-19T18:00:00+08:00', end: '2025-12-20T12:00:00+08:00', description }], new Date('2025-12-01T00:00:00Z'));
    const ics = renderICalendar(calendar.list());
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(ics).not.toContain('\uFFFD');
    const summary = ics.replace(/\r\n /g, '').split('\r\n').find((l) => l.startsWith('SUMMARY:'))!;
    expect(summary).toBe(`SUMMARY:${description.replace(/;/g, '\\;').replace(/,/g, '\\,')}`);
    expect(ics).toContain('DTSTAMP:20251201T000000Z\r\n');
  });
});

describe('results', () => {
  it('leaves out the Failed list, keeping the counts and the schema, when a refused message has no readable number', async () => {
    const xml = summaryResultXml({
      routing: { from: { partyId: '0000000000' }, fromVac: { routingId: '0000000000' }, to: { partyId: '24634102' }, toVac: { routingId: '24634102' } },
      messageId: '4.1-F0401-20261005-181500123-3f6c2a9e-8b1d-4c7e-9a52-0d4e6b7f1c38',
      size: 100,
      messageType: 'F0401',
      serviceType: 'S',
      action: 'C0401',
      quantity: 2,
      packCode: null,
      packReason: null,
      decisions: [
        { seq: 1, messageType: 'F0401', number: 'AB00000001', date: '20261005', invoiceIdentifier: null, sellerId: null, contentSha256: 'a', decision: 'accepted', code: '0000', reason: null, findingCode: null },
        { seq: 2, messageType: null, number: null, date: null, invoiceIdentifier: null, sellerId: null, contentSha256: 'b', decision: 'rejected', code: 'E9101', reason: 'not well-formed', findingCode: 'wellformed' },
      ],
    });
    const report = (await resultValidator()).validate(xml);
    expect(report.errors).toEqual([]);
    const text = xml.toString('utf8');
    expect(text).toMatch(/<Failed>\s*<Count>1<\/Count>\s*<\/Failed>/);
    expect(text).toMatch(/<Total>\s*<Count>2<\/Count>/);
  });
});

describe('small readers', () => {
  it('reads the period of a date', () => {
    expect(periodOfDate('20261005')).toBe('11510');
    expect(periodOfDate('20261201')).toBe('11512');
    expect(periodOfDate('20260101')).toBe('11502');
    expect(periodOfDate('2026-01-01')).toBeNull();
  });

  it('reads Basic credentials, passwords with colons included', () => {
    expect(parseBasicAuth(`Basic ${Buffer.from('id:pa:ss').toString('base64')}`)).toEqual({ user: 'id', password: 'pa:ss' });
    expect(parseBasicAuth('Bearer abc')).toBeNull();
    expect(parseBasicAuth(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeNull();
    expect(parseBasicAuth(undefined)).toBeNull();
  });
});

describe('host key', () => {
  it('makes host keys it can always read back (ssh2 drops a leading zero byte of about 1 key in 128)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'turnkey-sim-hostkeys-'));
    try {
      const fingerprints = new Set<string>();
      for (let i = 0; i < 400; i++) {
        const key = loadOrCreateHostKey(join(dir, `key-${i}`));
        expect(Buffer.from(key.publicKeyBase64, 'base64')).toHaveLength(51);
        fingerprints.add(key.fingerprint);
        expect(loadOrCreateHostKey(join(dir, `key-${i}`)).fingerprint).toBe(key.fingerprint);
      }
      expect(fingerprints.size).toBe(400);
      expect(statSync(join(dir, 'key-0')).mode & 0o077).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
