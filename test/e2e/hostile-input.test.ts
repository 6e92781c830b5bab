import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { taiwanDay } from '../../src/time/taiwanTime.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemonProcess.js';
import { f0401XmlWithWrongTotal, invoiceNumber } from '../helpers/f0401.js';
import { hostileEntries } from '../helpers/hostileInput.js';
import { PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

const F0401 = 'UpCast/B2SSTORAGE/F0401';

interface Row {
  number: string | null;
  source: string;
  state: string;
  code: string | null;
}

describe('one bad file never stops the rest (daemon and simulator as processes)', () => {
  let dir: ReturnType<typeof tempDir>;
  let outside: ReturnType<typeof tempDir>;
  let pair: PlatformPair | null = null;

  beforeEach(() => {
    dir = tempDir('turnkey-hostile-');
    outside = tempDir('turnkey-outside-');
  });
  afterEach(async () => {
    await pair?.stop();
    pair = null;
    dir.cleanup();
    outside.cleanup();
  });

  const rows = (): Row[] => {
    const db = new Database(pair!.database, { readonly: true });
    try {
      return db
        .prepare('SELECT invoice_number AS number, source_name AS source, state, error_code AS code FROM messages ORDER BY id')
        .all() as Row[];
    } finally {
      db.close();
    }
  };

  it('refuses each poison entry with its own code and a report, and confirms every valid invoice around them', async () => {
    pair = await PlatformPair.create(dir.path, { outbound: { maxPackWaitSeconds: 0.5 } });
    await pair.startSim();
    await pair.startDaemon();
    const src = join(dir.path, F0401, 'SRC');
    const entries = hostileEntries();
    const valid = pair.dropInvoices(3);
    for (const entry of entries) entry.create(src, outside.path);
    valid.push(...pair.dropInvoices(3, 3));

    const expectedValid = [...valid, ...entries.flatMap((e) => ('valid' in e.outcome ? [e.outcome.valid] : []))];
    const refused = entries.filter((e) => 'refused' in e.outcome);
    const settled = await waitFor(
      () => {
        const all = rows();
        return all.filter((r) => r.state === 'confirmed').length === expectedValid.length &&
          all.filter((r) => r.state === 'invalid').length === refused.length
          ? all
          : null;
      },
      'every valid invoice confirmed and every poison entry refused',
      60_000,
    );

    expect(
      settled
        .filter((r) => r.state === 'confirmed')
        .map((r) => r.number)
        .sort(),
    ).toEqual([...expectedValid].sort());
    const codes = settled
      .filter((r) => r.state === 'invalid')
      .map((r) => r.code)
      .sort();
    expect(codes).toEqual(refused.map((e) => (e.outcome as { refused: string }).refused).sort());
    // The platform got each valid invoice once, and never the one a link pointed at.
    const stats = pair.simStats();
    for (const number of expectedValid)
      expect(
        stats.invoices.find((i) => i.number === number),
        number,
      ).toMatchObject({ accepted: 1 });
    for (const elsewhere of [9105, 9106]) expect(stats.invoices.find((i) => i.number === invoiceNumber(elsewhere, 'HX'))).toBeUndefined();

    // Nothing is left behind in SRC or WORK; every refused entry sits in ERR beside its two reports.
    expect(readdirSync(src)).toEqual([]);
    expect(readdirSync(join(dir.path, F0401, 'WORK'))).toEqual([]);
    // One day folder, or two when Taiwan's midnight fell during the run.
    const errRoot = join(dir.path, F0401, 'ERR');
    const errFiles = readdirSync(errRoot).flatMap((day) => readdirSync(join(errRoot, day)).map((name) => ({ day, name })));
    const errNames = errFiles.map((f) => f.name);
    const errDay = join(errRoot, errFiles.find((f) => f.name === 'link-to-file.xml')?.day ?? 'the link is not in ERR');
    const filed = errNames.filter((n) => !n.endsWith('.err.json') && !n.endsWith('.err.txt'));
    expect(filed).toHaveLength(refused.length);
    for (const name of filed) {
      expect(errNames, name).toContain(`${name}.err.json`);
      expect(errNames, name).toContain(`${name}.err.txt`);
    }
    // The link was moved, not followed: ERR holds the link, and its report quotes nothing of the target.
    expect(lstatSync(join(errDay, 'link-to-file.xml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(errDay, 'link-to-file.xml.err.json'), 'utf8')).not.toContain(invoiceNumber(9105, 'HX'));
    expect(readFileSync(join(outside.path, 'elsewhere.xml'), 'utf8')).toContain(invoiceNumber(9105, 'HX'));

    // The operator sees each kind of refusal, with what to do, and the daemon is still running.
    const status = JSON.parse((await runCli(['status', '--json', '--config', pair.daemonConfigFile])).stdout);
    expect(status.daemon.running).toBe(true);
    const problemCodes = new Set((status.problems as Array<{ code: string; fix: string }>).map((p) => p.code));
    expect(problemCodes).toEqual(new Set(['encoding', 'not-a-file']));
    expect(status.outbound.breaker.state).toBe('closed');
  }, 90_000);

  it('keeps filing and sending when an ERR folder cannot be written, says so once, and files the waiting files once it can', async () => {
    pair = await PlatformPair.create(dir.path);
    // ERR/<today> is a file, and so is ERR/<tomorrow> (Taiwan's midnight may fall during the test): no
    // refused file can be filed there.
    const today = Date.now();
    const errDays = [today, today + 86_400_000].map((at) => join(dir.path, F0401, 'ERR', taiwanDay(at)));
    mkdirSync(join(dir.path, F0401, 'ERR'), { recursive: true });
    for (const day of errDays) writeFileSync(day, 'not a folder');
    await pair.startSim();
    const daemon = await pair.startDaemon();
    const valid = pair.dropInvoices(4);
    pair.dropInvoices(2, 4, (n) => f0401XmlWithWrongTotal({ number: invoiceNumber(n) }));

    await waitFor(() => (rows().filter((r) => r.state === 'confirmed').length === 4 ? true : null), 'the valid invoices confirmed', 30_000);
    expect(
      rows()
        .filter((r) => r.state === 'confirmed')
        .map((r) => r.number)
        .sort(),
    ).toEqual(valid.sort());
    // The refused files are recorded and wait in WORK; the problem is in status, and logged once.
    expect(
      rows()
        .filter((r) => r.state === 'received')
        .map((r) => r.code),
    ).toEqual(['amount-total', 'amount-total']);
    expect(readdirSync(join(dir.path, F0401, 'WORK'))).toHaveLength(2);
    const status = JSON.parse((await runCli(['status', '--json', '--config', pair.daemonConfigFile])).stdout);
    expect(status.problems).toContainEqual(expect.objectContaining({ code: 'filing-failed', subject: `${F0401}/ERR` }));
    // Log lines are written in batches, at least every second: the line may follow the status row by that much.
    await waitFor(() => (daemon.logLines().some((l) => l.event === 'filing-failed') ? true : null), 'the filing problem logged', 5_000);
    expect(daemon.logLines().filter((l) => l.event === 'filing-failed')).toHaveLength(1);
    expect(daemon.logLines().filter((l) => l.event === 'intake-error')).toHaveLength(0);

    // Once the folder can be written, the waiting files are filed by themselves and the problem ends.
    for (const day of errDays) rmSync(day);
    await waitFor(() => (rows().filter((r) => r.state === 'invalid').length === 2 ? true : null), 'the refused files filed', 90_000);
    expect(readdirSync(join(dir.path, F0401, 'WORK'))).toEqual([]);
    expect(errDays.some((day) => existsSync(join(day, `${invoiceNumber(4)}.xml.err.txt`)))).toBe(true);
    const after = JSON.parse((await runCli(['status', '--json', '--config', pair.daemonConfigFile])).stdout);
    expect((after.problems as Array<{ code: string }>).map((p) => p.code)).not.toContain('filing-failed');
  }, 150_000);
});
