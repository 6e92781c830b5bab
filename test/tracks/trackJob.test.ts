import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { openProblems, Problems } from '../../src/store/Problems.js';
import { Store } from '../../src/store/Store.js';
import { periodBounds, shiftPeriod } from '../../src/time/periods.js';
import { TrackBook } from '../../src/tracks/TrackBook.js';
import { runTracksJob } from '../../src/tracks/trackJob.js';
import { InlineFileInspector } from '../../src/intake/FileInspector.js';
import { Validator } from '../../src/validation/Validator.js';
import { memoryLogger } from '../helpers/intakeHarness.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

const HEAD = '24634102';
const PERIOD = '11508'; // July–August 2026
const DAY = 86_400_000;
const end = periodBounds(PERIOD)!.end;
const SETTINGS = { check: 'refuse' as const, blankReport: { auto: true, daysAfterPeriodEnd: 3, quietHours: 24 }, runOutWarningDays: 5 };

/** The hourly tracks job over days of the clock: when it reports a period's unused numbers by itself, and when it says why not. */
describe('the tracks job', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let validator: Validator;
  let clock: number;
  let book: TrackBook;
  let problems: Problems;
  beforeAll(async () => {
    validator = await Validator.create();
  });
  afterAll(() => validator.dispose());
  beforeEach(() => {
    dir = tempDir('turnkey-track-job-');
    store = Store.open(join(dir.path, 'turnkey.db'));
    clock = end + DAY;
    book = new TrackBook(store.db, dir.path, () => clock);
    problems = new Problems(store.db, 'tracks', () => clock);
    book.allocations.record(
      [{ ban: HEAD, headBan: null, period: PERIOD, invoiceType: '07', track: 'AB', begin: 12345600, end: 12345699, booklets: 2 }],
      { source: 'E0501', sourceRef: 'x-E0501' },
    );
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  const run = (options: Partial<Pick<Parameters<typeof runTracksJob>[0], 'settings' | 'validator'>> = {}) =>
    runTracksJob({
      book,
      settings: SETTINGS,
      validator: new InlineFileInspector(validator, 1 << 20),
      problems,
      logger: memoryLogger().logger,
      atRiskHours: 12,
      now: () => clock,
      ...options,
    });
  const open = () => openProblems(store.db).map((p) => p.code);
  const invoice = (n: number, state: 'queued' | 'confirmed') => {
    const messages = new MessageTransitions(store.db, () => clock);
    const { messageId } = messages.receive(
      newMessage(n, { invoiceNumber: `AB123456${String(n).padStart(2, '0')}`, invoiceDate: '20260831' }),
    );
    messages.move(messageId, 'received', 'queued');
    if (state === 'confirmed') {
      for (const [from, to] of [
        ['queued', 'packed'],
        ['packed', 'uploaded'],
        ['uploaded', 'confirmed'],
      ] as const)
        messages.move(messageId, from, to);
    }
    return messageId;
  };

  it('waits for the days after the period, then for quiet, then reports once and never again', async () => {
    invoice(0, 'confirmed');
    expect(await run()).toMatch(/E0402 of 11508 waits: too-early/);
    expect(existsSync(join(book.srcDir(), `E0402_${PERIOD}_${HEAD}_${HEAD}_07_AB.xml`))).toBe(false);
    clock = end + 3 * DAY + 1;
    expect(await run()).toMatch(/E0402 of 11508: 1 message/);
    const xml = readFileSync(join(book.srcDir(), `E0402_${PERIOD}_${HEAD}_${HEAD}_07_AB.xml`), 'utf8');
    expect(xml).toContain('<InvoiceBeginNo>12345601</InvoiceBeginNo>');
    expect(xml).toContain('<InvoiceEndNo>12345699</InvoiceEndNo>');
    clock += 3_600_000;
    // Reported already: the hourly run stops at its one plan.
    const plans = vi.spyOn(book, 'blankPlan');
    expect(await run()).toBe('nothing to do');
    expect(plans).toHaveBeenCalledTimes(1);
    expect(book.reports.ofPeriod(PERIOD)).toHaveLength(1);
  });

  it('checks each report on the validation thread first, and records nothing when the report changed meanwhile', async () => {
    invoice(0, 'confirmed');
    clock = end + 3 * DAY + 1;
    const thread = new InlineFileInspector(validator, 1 << 20);
    const checked: string[] = [];
    const racing = {
      validate: async (bytes: Uint8Array, options: { file?: string } = {}) => {
        checked.push(options.file ?? '');
        if (checked.length === 1) {
          // An invoice of the range, sent two days ago, recorded while the report is checked.
          const now = clock;
          clock -= 2 * DAY;
          invoice(50, 'confirmed');
          clock = now;
        }
        return thread.validate(bytes, options);
      },
    };
    const job = () => run({ validator: racing });
    expect(await job()).toMatch(/E0402 of 11508 changed while it was checked: reported at the next run/);
    expect(checked).toEqual([`E0402_${PERIOD}_${HEAD}_${HEAD}_07_AB.xml`]);
    expect(book.reports.ofPeriod(PERIOD)).toEqual([]);
    expect(existsSync(join(book.srcDir(), `E0402_${PERIOD}_${HEAD}_${HEAD}_07_AB.xml`))).toBe(false);
    // The next run checks the report as it now is, and drops it.
    expect(await job()).toMatch(/E0402 of 11508: 1 message/);
    const xml = readFileSync(join(book.srcDir(), `E0402_${PERIOD}_${HEAD}_${HEAD}_07_AB.xml`), 'utf8');
    expect(xml).toContain('<InvoiceEndNo>12345649</InvoiceEndNo>');
    expect(xml).toContain('<InvoiceBeginNo>12345651</InvoiceBeginNo>');
  });

  it('holds the report while an invoice of the period is unsettled, says so, and raises it as the 10th nears', async () => {
    invoice(0, 'confirmed');
    invoice(1, 'queued');
    clock = end + 4 * DAY;
    expect(await run()).toMatch(/waits: invoices-unsettled/);
    expect(open()).toEqual(['blank-report-waiting']);
    clock = end + 9 * DAY + 13 * 3_600_000; // 11 hours before the end of the 10th
    await run();
    expect(open()).toContain('blank-report-due');
    expect(book.reports.ofPeriod(PERIOD)).toEqual([]);
  });

  it('writes a report recorded before a crash again, with the same bytes', async () => {
    clock = end + 4 * DAY;
    book.reports.plan(
      [
        {
          period: PERIOD,
          headBan: HEAD,
          branchBan: HEAD,
          invoiceType: '07',
          track: 'AB',
          part: 1,
          generation: 1,
          ranges: 1,
          numbers: 100,
          fileName: 'E0402_x.xml',
          messageKey: 'E0402AB1234560011508',
          xml: '<x/>',
        },
      ],
      'auto',
    );
    expect(await run()).toMatch(/1 E0402 file\(s\) written again/);
    expect(readFileSync(join(book.srcDir(), 'E0402_x.xml'), 'utf8')).toBe('<x/>');
    expect(book.reports.ofPeriod(PERIOD).map((r) => r.state)).toEqual(['dropped']);
  });

  it('says that a report is held back by a file of other content in SRC, and raises it', async () => {
    invoice(0, 'confirmed');
    clock = end + 4 * DAY;
    const name = `E0402_${PERIOD}_${HEAD}_${HEAD}_07_AB.xml`;
    mkdirSync(book.srcDir(), { recursive: true });
    writeFileSync(join(book.srcDir(), name), '<not-ours/>');
    // Recorded; its file cannot be written while the other one holds the name.
    expect(await run()).toMatch(/E0402 of 11508: 1 message\(s\); E0402 of 11508 waits: name-taken$/);
    expect(book.reports.ofPeriod(PERIOD).map((r) => r.state)).toEqual(['planned']);
    expect(open()).toEqual(['blank-report-waiting']);
    // The same on the next run: the report is still held, and so is the problem.
    clock += 3_600_000;
    expect(await run()).toMatch(/^1 E0402 report\(s\) held back: .*; E0402 of 11508 waits: name-taken$/);
    expect(open()).toEqual(['blank-report-waiting']);
    rmSync(join(book.srcDir(), name));
    clock += 3_600_000;
    expect(await run()).toMatch(/^1 E0402 file\(s\) written again$/);
    expect(open()).toEqual([]);
  });

  it('with automatic reports off, tells the operator to move the file that holds a recorded report back', async () => {
    invoice(0, 'confirmed');
    clock = end + 4 * DAY;
    const name = `E0402_${PERIOD}_${HEAD}_${HEAD}_07_AB.xml`;
    mkdirSync(book.srcDir(), { recursive: true });
    writeFileSync(join(book.srcDir(), name), '<not-ours/>');
    // The operator reported the period by hand; the file in the way kept it out of SRC.
    expect(book.generate(PERIOD, SETTINGS.blankReport, { trigger: 'cli', validator }).dropped).toBe(true);
    const manual = { ...SETTINGS, blankReport: { ...SETTINGS.blankReport, auto: false } };
    const summary = await run({ settings: manual });
    expect(summary).toMatch(/waits: name-taken$/);
    const [problem] = openProblems(store.db);
    expect(problem).toMatchObject({ code: 'blank-report-waiting' });
    expect(problem!.detail).toContain(`${name} is in E0402's SRC already`);
    expect(problem!.detail).not.toContain('turnkey tracks blank');
  });

  it("reports the period due though an earlier period's report is held back, which is only logged", async () => {
    const older = shiftPeriod(PERIOD, -1);
    book.reports.plan(
      [
        {
          period: older,
          headBan: HEAD,
          branchBan: HEAD,
          invoiceType: '07',
          track: 'AA',
          part: 1,
          generation: 1,
          ranges: 1,
          numbers: 100,
          fileName: `E0402_${older}_x.xml`,
          messageKey: `E0402AA12345600${older}`,
          xml: '<x/>',
        },
      ],
      'auto',
    );
    mkdirSync(book.srcDir(), { recursive: true });
    writeFileSync(join(book.srcDir(), `E0402_${older}_x.xml`), '<not-ours/>');
    invoice(0, 'confirmed');
    clock = end + 4 * DAY;
    expect(await run()).toMatch(/^1 E0402 report\(s\) held back: .*; E0402 of 11508: 1 message\(s\)$/);
    expect(open()).toEqual([]);
  });

  it("warns when the current period's numbers run out before it ends", async () => {
    const current = shiftPeriod(PERIOD, 1);
    const bounds = periodBounds(current)!;
    book.allocations.record(
      [{ ban: HEAD, headBan: null, period: current, invoiceType: '07', track: 'CD', begin: 0, end: 99, booklets: 2 }],
      { source: 'file', sourceRef: 'list.csv' },
    );
    clock = bounds.start + 10 * DAY;
    const messages = new MessageTransitions(store.db, () => clock);
    for (let i = 0; i < 60; i++) {
      messages.receive(newMessage(100 + i, { invoiceNumber: `CD${String(i).padStart(8, '0')}`, invoiceDate: '20260910' }));
    }
    await run();
    expect(open()).toContain('tracks-running-out');
  });

  it('has nothing to report when every number was used, and raises nothing as the deadline nears', async () => {
    for (let i = 0; i < 100; i++) invoice(i, 'confirmed');
    clock = end + 9 * DAY + 20 * 3_600_000;
    expect(await run()).toBe('nothing to do');
    expect(open()).toEqual([]);
  });
});
