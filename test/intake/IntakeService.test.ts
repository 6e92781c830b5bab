import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IntakeSettings } from '../../src/config/types.js';
import { InlineFileInspector, type FileInspector } from '../../src/intake/FileInspector.js';
import { IntakeService } from '../../src/intake/IntakeService.js';
import { Validator } from '../../src/validation/Validator.js';
import { sleep, waitFor } from '../helpers/daemonProcess.js';
import { f0401Xml, invoiceNumber } from '../helpers/f0401.js';
import { intakeFixture, memoryLogger } from '../helpers/intakeHarness.js';

const BASE: IntakeSettings = {
  messageTypes: ['F0401', 'F0501'],
  stabilitySeconds: 0.1,
  rescanIntervalSeconds: 0.3,
  batchSize: 50,
  watch: true,
  retryDelaySeconds: 0.1,
  claimProblemAfterSeconds: 60,
  unreadableGiveUpSeconds: 60,
  validationWorkers: 0,
};

describe('IntakeService', () => {
  let validator: Validator;
  let fx: ReturnType<typeof intakeFixture>;
  let log: ReturnType<typeof memoryLogger>;
  let service: IntakeService | undefined;

  beforeAll(async () => {
    validator = await Validator.create();
  });
  afterAll(() => validator.dispose());
  beforeEach(() => {
    fx = intakeFixture();
    log = memoryLogger();
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    fx.cleanup();
  });

  let queuedTold = 0;
  async function start(settings: Partial<IntakeSettings> = {}, trackerCapacity?: number): Promise<IntakeService> {
    queuedTold = 0;
    service = new IntakeService({
      onQueued: () => queuedTold++,
      store: fx.store,
      inspector: new InlineFileInspector(validator, 20 * 1024 * 1024),
      layout: fx.layout,
      settings: { ...BASE, ...settings },
      logger: log.logger,
      ...(trackerCapacity !== undefined ? { trackerCapacity } : {}),
    });
    await service.start();
    return service;
  }
  const count = (): number => fx.store.db.prepare("SELECT count(*) FROM messages WHERE state = 'queued'").pluck().get() as number;
  const src = (): string => fx.layout.folder('F0401')!.src;

  it('takes a file written in place only once its size and mtime stopped changing for the stability time', async () => {
    await start({ stabilitySeconds: 0.8 });
    const xml = f0401Xml({ number: invoiceNumber(1) });
    const path = join(src(), 'slow.xml');
    const parts = [xml.slice(0, 300), xml.slice(300, 700), xml.slice(700)];
    writeFileSync(path, parts[0]!);
    for (const part of parts.slice(1)) {
      await sleep(200); // a quarter of the stability time: a loaded machine's timers run late
      expect(fx.store.db.prepare('SELECT count(*) FROM messages').pluck().get(), 'nothing taken while the file is written').toBe(0);
      appendFileSync(path, part);
    }
    await waitFor(() => count() === 1, 'the finished file to be recorded', 10_000);
    const recorded = fx.store.db.prepare('SELECT sha256 FROM messages').pluck().get();
    expect(recorded).toBe(createHash('sha256').update(xml).digest('hex'));
  });

  it('tells sending when messages were queued, so that a full pack goes out at once', async () => {
    await start();
    writeFileSync(join(src(), 'a.xml'), f0401Xml({ number: invoiceNumber(40) }));
    await waitFor(() => count() === 1, 'a.xml to be queued', 10_000);
    await waitFor(() => queuedTold > 0, 'sending to be told', 2_000);
    const told = queuedTold;
    await sleep(400); // rescans that find nothing new tell nothing
    expect(queuedTold).toBe(told);
  });

  it('never takes *.tmp or *.part files', async () => {
    await start();
    writeFileSync(join(src(), 'a.xml.tmp'), f0401Xml({ number: invoiceNumber(2) }));
    writeFileSync(join(src(), 'b.xml.part'), f0401Xml({ number: invoiceNumber(3) }));
    writeFileSync(join(src(), 'c.xml'), f0401Xml({ number: invoiceNumber(4) }));
    await waitFor(() => count() === 1, 'c.xml to be recorded', 10_000);
    await sleep(600); // two more rescans
    expect(readdirSync(src()).sort()).toEqual(['a.xml.tmp', 'b.xml.part']);
    expect(count()).toBe(1);
  });

  it('takes files that were waiting before it started, and files no event announced (watching off)', async () => {
    for (let i = 0; i < 30; i++) fx.drop('F0401', `before-${i}.xml`, f0401Xml({ number: invoiceNumber(100 + i) }));
    await start({ watch: false });
    await waitFor(() => count() === 30, 'the files found by the start-up scan', 10_000);
    for (let i = 0; i < 30; i++) fx.drop('F0401', `after-${i}.xml`, f0401Xml({ number: invoiceNumber(200 + i) }));
    await waitFor(() => count() === 60, 'the files found by the periodic rescan', 10_000);
    expect(readdirSync(src())).toEqual([]);
  });

  it('during a flood stops watching, scans instead, and watches again once SRC is drained', async () => {
    await start({ rescanIntervalSeconds: 60 }, 40);
    for (let i = 0; i < 300; i++) fx.drop('F0401', `flood-${i}.xml`, f0401Xml({ number: invoiceNumber(1000 + i) }));
    await waitFor(() => count() === 300, 'the flood to be recorded', 20_000);
    const events = log.lines.map((l) => l.event);
    expect(events).toContain('watch-paused');
    await waitFor(() => log.lines.some((l) => l.event === 'watch-resumed'), 'watching to resume', 10_000);
    // Watching works again: a new file is taken long before the 60 s rescan.
    fx.drop('F0401', 'after-flood.xml', f0401Xml({ number: invoiceNumber(5000) }));
    await waitFor(() => count() === 301, 'a file dropped after the flood', 5_000);
  });

  it('with a backlog waiting at start, scans it without starting to watch, and watches once it is drained', async () => {
    for (let i = 0; i < 300; i++) fx.drop('F0401', `backlog-${i}.xml`, f0401Xml({ number: invoiceNumber(3000 + i) }));
    await start({ rescanIntervalSeconds: 60 }, 40);
    // Paused from the start: the watcher (which lists every waiting entry first) never started.
    expect(log.lines.find((l) => l.event === 'watch-paused')).toMatchObject({ waiting: '40+' });
    await waitFor(() => count() === 300, 'the backlog to be recorded', 20_000);
    await waitFor(() => log.lines.some((l) => l.event === 'watch-resumed'), 'watching to start', 10_000);
    fx.drop('F0401', 'after-backlog.xml', f0401Xml({ number: invoiceNumber(5001) }));
    await waitFor(() => count() === 301, 'a file dropped after the backlog', 5_000);
  });

  it('during a flood lists SRC only when the files in hand run low, and still takes files dropped meanwhile', async () => {
    // Inspection slowed down (batches of 10), so that the flood lasts a few seconds.
    const inline = new InlineFileInspector(validator, 20 * 1024 * 1024);
    const slow = {
      inspect: async (files: Parameters<typeof inline.inspect>[0]) => (await sleep(150), inline.inspect(files)),
      close: () => inline.close(),
    };
    service = new IntakeService({
      store: fx.store,
      inspector: slow,
      layout: fx.layout,
      settings: { ...BASE, batchSize: 10, rescanIntervalSeconds: 60 },
      logger: log.logger,
      watchPauseAt: 5,
    });
    for (let i = 0; i < 600; i++) fx.drop('F0401', `flood-${i}.xml`, f0401Xml({ number: invoiceNumber(2000 + i) }));
    await service.start();
    await waitFor(() => count() >= 100, 'the flood to be under way', 20_000);
    fx.drop('F0401', 'newcomer.xml', f0401Xml({ number: invoiceNumber(2900) }));
    const scansBefore = log.lines.filter((l) => l.event === 'src-scanned').length;
    await waitFor(() => count() >= 400, 'most of the flood', 20_000);
    // Hundreds of files were still in hand all along: listing SRC twice a second would have listed it
    // three times or more meanwhile.
    expect(log.lines.filter((l) => l.event === 'src-scanned').length - scansBefore).toBeLessThanOrEqual(1);
    await waitFor(() => count() === 601, 'the flood and the newcomer', 20_000);
    expect(readdirSync(src())).toEqual([]);
  });

  it('stops taking files on stop() and leaves new ones in SRC for the next start', async () => {
    await start();
    fx.drop('F0401', 'one.xml', f0401Xml({ number: invoiceNumber(6) }));
    await waitFor(() => count() === 1, 'one.xml', 10_000);
    await service!.stop();
    service = undefined;
    fx.drop('F0401', 'two.xml', f0401Xml({ number: invoiceNumber(7) }));
    await sleep(500);
    expect(existsSync(join(src(), 'two.xml'))).toBe(true);
    expect(count()).toBe(1);
  });

  it('tells the operator, once, about a file it cannot claim for a minute, and ends the problem once it can', async () => {
    let offset = 0;
    let refusing = true;
    const inline = new InlineFileInspector(validator, 20 * 1024 * 1024);
    // SRC that the daemon's user may not move files out of, until it may.
    const refusingInspector: FileInspector = {
      inspect: (files) =>
        refusing
          ? Promise.resolve(files.map(() => ({ kind: 'unclaimed' as const, code: 'EACCES', message: 'permission denied' })))
          : inline.inspect(files),
      close: () => Promise.resolve(),
    };
    service = new IntakeService({
      store: fx.store,
      inspector: refusingInspector,
      layout: fx.layout,
      settings: BASE,
      logger: log.logger,
      now: () => Date.now() + offset,
    });
    await service.start();
    writeFileSync(join(src(), 'stuck.xml'), f0401Xml({ number: invoiceNumber(70) }));
    await waitFor(() => log.lines.some((l) => l.event === 'claim-deferred'), 'a refused claim');
    const open = () => fx.store.db.prepare('SELECT subject, code FROM problems WHERE resolved_at IS NULL').all();
    expect(open()).toEqual([]);
    offset = 61_000;
    await waitFor(() => open().length > 0, 'the claim problem');
    expect(open()).toEqual([{ subject: 'UpCast/B2SSTORAGE/F0401/SRC', code: 'claim-refused' }]);
    await sleep(500); // many more refusals: still one line
    expect(log.lines.filter((l) => l.event === 'claim-refused')).toHaveLength(1);
    refusing = false;
    await waitFor(() => count() === 1, 'the file taken once it can be');
    await waitFor(() => open().length === 0, 'the problem resolved');
  });
});
