import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { periodBounds, periodOfTime, shiftPeriod } from '../../src/time/periods.js';
import { ensureBuilt } from '../helpers/build.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemonProcess.js';
import { DEFAULT_SELLER_ID, f0401Xml, f0501Xml } from '../helpers/f0401.js';
import { acceptedOnce, PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

const CURRENT = periodOfTime(Date.now());
const PREVIOUS = shiftPeriod(CURRENT, -1);
const LAST_DAY = periodBounds(PREVIOUS)!.lastDate;

interface TracksJson {
  ranges: Array<{
    ban: string;
    track: string;
    begin: string;
    end: string;
    used: number;
    skipped: number;
    remaining: number;
    nextFree: string;
  }>;
}
interface BlankJson {
  dropped: boolean;
  blockers: Array<{ code: string; detail: string }>;
  messages: Array<{ fileName: string; track: string; numbers: number; ranges: Array<{ begin: string; end: string }> }>;
}

/**
 * Tracks end to end: the simulator's E0501 gives the allocations, invoices use them (the period
 * rule and the range rule refuse what they must), and at the period's end the unused numbers go
 * to the platform as E0402, once, after the invoices in flight are settled.
 */
describe('tracks: allocations from E0501, the rules, and E0402 sent by turnkey', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PlatformPair | null = null;
  beforeAll(() => ensureBuilt(), 180_000);
  beforeEach(() => {
    dir = tempDir('turnkey-tracks-');
  });
  afterEach(async () => {
    await pair?.stop();
    pair = null;
    dir.cleanup();
  });

  const cli = (...args: string[]) => runCli([...args, '--config', pair!.daemonConfigFile]);
  const stopSim = async () => {
    const exited = new Promise((resolve) => pair!.sim!.once('exit', resolve));
    pair!.sim!.kill('SIGTERM');
    await exited;
  };

  it('records the E0501, refuses numbers of other letters or ranges, and reports exactly the unused numbers once', async () => {
    pair = await PlatformPair.create(dir.path, {
      sim: {
        allocations: [
          { partyId: DEFAULT_SELLER_ID, period: PREVIOUS, track: 'AB', begin: '12345600', end: '12345699' },
          { partyId: DEFAULT_SELLER_ID, period: PREVIOUS, track: 'CD', begin: '00000000', end: '00000049' },
          { partyId: DEFAULT_SELLER_ID, period: CURRENT, track: 'EF', begin: '00000000', end: '00000099' },
        ],
      },
      config: { tracks: { blankReport: { auto: false } } },
    });
    await pair.startSim();
    await pair.startDaemon();
    for (const period of [PREVIOUS, CURRENT]) {
      const response = await pair.simAdmin('POST', '/_sim/e0501', { period });
      expect(response.status).toBe(201);
    }
    const known = await waitFor(async () => {
      const t = JSON.parse((await cli('tracks', '--period', PREVIOUS, '--json')).stdout) as TracksJson;
      return t.ranges.length === 2 ? t : null;
    }, 'the E0501 allocations to be recorded');
    expect(known.ranges.map((r) => [r.track, r.begin, r.end, r.used, r.nextFree])).toEqual([
      ['AB', 'AB12345600', 'AB12345699', 0, 'AB12345600'],
      ['CD', 'CD00000000', 'CD00000049', 0, 'CD00000000'],
    ]);

    // The platform goes away while the period's last invoices are issued: they wait, packed.
    await stopSim();
    const numbers = [...Array.from({ length: 10 }, (_, i) => `AB123456${String(i).padStart(2, '0')}`), 'AB12345612', 'CD00000000'];
    pair.dropMessages([
      ...numbers.map((number) => ({ type: 'F0401', name: `${number}.xml`, xml: f0401Xml({ number, date: LAST_DAY }) })),
      // A cancelled invoice's number stays used.
      {
        type: 'F0501',
        name: 'cancel-AB12345605.xml',
        xml: f0501Xml({ number: 'AB12345605', invoiceDate: LAST_DAY, cancelDate: LAST_DAY }),
      },
      { type: 'F0401', name: 'wrong-letters.xml', xml: f0401Xml({ number: 'XY12345601', date: LAST_DAY }) },
      { type: 'F0401', name: 'outside.xml', xml: f0401Xml({ number: 'AB12345750', date: LAST_DAY }) },
    ]);
    await waitFor(() => ((pair!.states().invalid ?? 0) === 2 && (pair!.states().received ?? 0) === 0 ? true : null), 'the files taken');
    const refused = await cli('list', '--state', 'invalid', '--json');
    const codes = (JSON.parse(refused.stdout) as Array<{ number: string; errorCode: string }>).map((m) => [m.number, m.errorCode]).sort();
    expect(codes).toEqual([
      ['AB12345750', 'track-range'],
      ['XY12345601', 'track-period'],
    ]);

    const held = await cli('tracks', 'blank', '--period', PREVIOUS, '--json');
    expect(held.code, held.stderr).toBe(1);
    const heldJson = JSON.parse(held.stdout) as BlankJson;
    expect(heldJson.dropped).toBe(false);
    expect(heldJson.blockers.map((b) => b.code)).toEqual(['invoices-unsettled']);
    expect(heldJson.blockers[0]!.detail).toMatch(/12 invoice\(s\) of period \d{5} are not settled/);

    await pair.startSim();
    expect(await pair.waitForFinal(13, 60_000)).toMatchObject({ confirmed: 13, invalid: 2 });

    const dry = JSON.parse((await cli('tracks', 'blank', '--period', PREVIOUS, '--dry-run', '--json')).stdout) as BlankJson;
    expect(dry.dropped).toBe(false);
    const sent = await cli('tracks', 'blank', '--period', PREVIOUS, '--json');
    expect(sent.code, sent.stderr).toBe(0);
    const report = JSON.parse(sent.stdout) as BlankJson;
    expect(report.messages).toEqual(dry.messages);
    expect(report.messages.map((m) => [m.track, m.ranges, m.numbers])).toEqual([
      [
        'AB',
        [
          { begin: 'AB12345610', end: 'AB12345611' },
          { begin: 'AB12345613', end: 'AB12345699' },
        ],
        89,
      ],
      ['CD', [{ begin: 'CD00000001', end: 'CD00000049' }], 49],
    ]);
    expect(await pair.waitForFinal(15, 60_000)).toMatchObject({ confirmed: 15 });
    const e0402 = report.messages.map((m) => ({ type: 'E0402', number: m.ranges[0]!.begin }));
    expect(acceptedOnce(pair.simStats(), e0402)).toEqual([]);

    const again = await cli('tracks', 'blank', '--period', PREVIOUS, '--json');
    expect(again.code).toBe(1);
    expect((JSON.parse(again.stdout) as BlankJson).blockers.map((b) => b.code)).toEqual(['already-reported']);

    const after = JSON.parse((await cli('tracks', '--period', PREVIOUS, '--json')).stdout) as TracksJson;
    expect(after.ranges.map((r) => [r.track, r.used, r.skipped, r.remaining])).toEqual([
      ['AB', 11, 2, 87],
      ['CD', 1, 0, 49],
    ]);
    const status = JSON.parse((await cli('status', '--json')).stdout) as {
      tracks: { current: { period: string; ranges: number }; previous: { blankReports: Array<{ state: string }> } };
    };
    expect(status.tracks.current).toMatchObject({ period: CURRENT, ranges: 1 });
    expect(status.tracks.previous.blankReports.map((r) => r.state)).toEqual(['dropped', 'dropped']);
  }, 180_000);
});
