import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f0401Xml, invoiceNumber } from '../../src/mig/F0401Factory.js';
import { getJson, notificationFor, notify, sendJson } from './helpers/gateway.js';
import { connectSsh, SftpTestClient } from './helpers/sftpClient.js';
import { ACCOUNT, resultsWritten, startFixture, type SimFixture } from './helpers/simFixture.js';

// A window of the DOMAIN.md list, announced in Taiwan time.
const DECEMBER_2025 = {
  start: '2025-12-19T18:00:00+08:00',
  end: '2025-12-20T12:00:00+08:00',
  description: '年度系統升級, yearly upgrade; uploads stop',
};

let fx: SimFixture;

beforeAll(async () => {
  fx = await startFixture({ maintenance: [DECEMBER_2025] });
});
afterAll(async () => {
  await fx?.close();
});

/** A window around now, added at run time; removed after the test. */
async function duringMaintenance(run: () => Promise<void>, seconds = 60): Promise<void> {
  fx.sim.addMaintenanceWindow({
    start: new Date(Date.now() - 1000),
    end: new Date(Date.now() + seconds * 1000),
    description: 'emergency maintenance',
  });
  try {
    await run();
  } finally {
    fx.sim.clearMaintenanceWindows();
  }
}

describe('maintenance windows', () => {
  it('answers notifications 503 with a maintenance notice during a window', async () => {
    await duringMaintenance(async () => {
      const pack = fx.pack([f0401Xml({ number: invoiceNumber(1, 'MT') })]);
      const reply = await notify(fx.sim, notificationFor(pack, fx.account));
      expect(reply.status).toBe(503);
      expect(reply.json.statusDetail[0]).toMatchObject({ code: 'maintenance', description: 'emergency maintenance' });
      expect(reply.json.maintenance).toMatchObject({ description: 'emergency maintenance', end: expect.stringMatching(/\+08:00$/) });
      expect(Number(reply.headers['retry-after'])).toBeGreaterThan(50);
    });
  });

  it('refuses SFTP logins during a window, and takes them again after it', async () => {
    await duringMaintenance(async () => {
      await expect(connectSsh(fx.sim, ACCOUNT.transportId, ACCOUNT.password)).rejects.toThrow(/authentication/i);
    });
    const connection = await connectSsh(fx.sim, ACCOUNT.transportId, ACCOUNT.password);
    connection.end();
  });

  it('holds a pack accepted before a window until the window ends', async () => {
    const slow = await startFixture({ processingDelayMs: 400 }, fx.identity);
    const client = await SftpTestClient.connect(slow.sim, ACCOUNT.transportId, ACCOUNT.password);
    try {
      const pack = slow.pack([f0401Xml({ number: invoiceNumber(2, 'MT') })]);
      await client.upload(`in/${pack.commonName}`, pack.file);
      const written = resultsWritten(slow.sim, pack.commonName);
      expect((await notify(slow.sim, notificationFor(pack, slow.account))).json.statusCode).toBe(0);
      const windowEnd = Date.now() + 1500;
      slow.sim.addMaintenanceWindow({ start: new Date(Date.now() - 10), end: new Date(windowEnd) });
      await written;
      expect(Date.now()).toBeGreaterThanOrEqual(windowEnd);
    } finally {
      client.end();
      await slow.close();
    }
  });

  it('serves the announced windows as JSON at /announcements', async () => {
    const { status, body, headers } = await getJson<Array<Record<string, string>>>(fx.sim, '/announcements');
    expect(status).toBe(200);
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(body).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        start: '2025-12-19T18:00:00.000+08:00',
        end: '2025-12-20T12:00:00.000+08:00',
        description: DECEMBER_2025.description,
      },
    ]);
  });

  it('serves the same windows as iCalendar: VEVENTs, UTC times, CRLF lines', async () => {
    const response = await request(`${fx.sim.gateway.origin}/announcements.ics`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/calendar/);
    const ics = await response.body.text();
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const unfolded = ics.replace(/\r\n /g, '');
    expect(unfolded).toContain('BEGIN:VEVENT\r\n');
    expect(unfolded).toContain('DTSTART:20251219T100000Z\r\n');
    expect(unfolded).toContain('DTEND:20251220T040000Z\r\n');
    expect(unfolded).toContain('SUMMARY:年度系統升級\\, yearly upgrade\\; uploads stop\r\n');
    expect(unfolded).toMatch(/UID:[0-9a-f]{16}@/);
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });

  it('adds and clears windows through the admin endpoint', async () => {
    const added = await sendJson<{ id: string; start: string }>(fx.sim, 'POST', '/_sim/maintenance', {
      start: '2026-12-18T18:00:00+08:00',
      end: '2026-12-19T12:00:00+08:00',
      description: 'announced at run time',
    });
    expect(added.status).toBe(201);
    expect(added.body.start).toBe('2026-12-18T18:00:00.000+08:00');
    expect((await getJson<unknown[]>(fx.sim, '/announcements')).body).toHaveLength(2);
    const bad = await sendJson<{ error: { code: string; message: string } }>(fx.sim, 'POST', '/_sim/maintenance', {
      start: '2026-12-18 18:00',
      end: '2026-12-19T12:00:00+08:00',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('config');
    const cleared = await sendJson<unknown[]>(fx.sim, 'DELETE', '/_sim/maintenance');
    expect(cleared.body).toHaveLength(1);
  });
});
