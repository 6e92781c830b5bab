import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InlineFileInspector, WorkerFileInspector, type FileInspector } from '../../src/intake/FileInspector.js';
import { BatchProcessor } from '../../src/intake/BatchProcessor.js';
import { taiwanDay } from '../../src/time/taiwanTime.js';
import { MessageBytes } from '../../src/store/MessageBytes.js';
import { Validator } from '../../src/validation/Validator.js';
import { f0401Xml, f0401XmlWithWrongTotal, f0501Xml, invoiceNumber } from '../helpers/f0401.js';
import { intakeFixture, memoryLogger } from '../helpers/intakeHarness.js';
import { DEFAULT_SELLER_ID } from '../helpers/f0401.js';
import { DEFAULT_BRANCH_ID, e0401Xml } from '../../src/mig/MessageFactory.js';
import { TrackAllocations } from '../../src/store/TrackAllocations.js';
import { periodOfDate } from '../../src/time/periods.js';

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

describe('BatchProcessor', () => {
  let validator: Validator;
  let fx: ReturnType<typeof intakeFixture>;
  let log: ReturnType<typeof memoryLogger>;
  let processor: BatchProcessor;

  beforeAll(async () => {
    validator = await Validator.create();
  });
  afterAll(() => validator.dispose());
  beforeEach(() => {
    fx = intakeFixture();
    log = memoryLogger();
    processor = new BatchProcessor(fx.store, new InlineFileInspector(validator, 20 * 1024 * 1024), fx.layout, log.logger);
  });
  afterEach(() => fx.cleanup());

  const day = (): string => taiwanDay(Date.now());
  const bak = (type: string, name: string): string => join(fx.layout.folder(type)!.bak, day(), name);
  const err = (type: string, name: string): string => join(fx.layout.folder(type)!.err, day(), name);
  const rows = (): Array<Record<string, unknown>> =>
    fx.store.db
      .prepare(
        'SELECT id, state, message_key AS key, error_code AS code, sha256, bytes_kept AS kept, holds_key AS holds FROM messages ORDER BY ' +
          'id',
      )
      .all() as Array<Record<string, unknown>>;

  it('records a valid file as queued, keeps its exact bytes and files it in BAK/<day>/', async () => {
    const xml = f0401Xml({ number: invoiceNumber(1) });
    fx.drop('F0401', 'a.xml', xml);
    const outcome = await processor.process([fx.claim('F0401', 'a.xml')]);
    processor.flush();
    expect(outcome).toMatchObject({ accepted: 1, invalid: 0, duplicates: 0 });
    expect(readFileSync(bak('F0401', 'a.xml'), 'utf8')).toBe(xml);
    expect(readdirSync(fx.layout.folder('F0401')!.work)).toEqual([]);
    expect(rows()).toEqual([
      expect.objectContaining({
        state: 'queued',
        key: expect.stringMatching(/^F0401AB00000001\d{8}$/),
        sha256: sha(xml),
        kept: 1,
        holds: 1,
      }),
    ]);
    expect(new MessageBytes(fx.store.db).read(rows()[0]!.id as number)?.toString('utf8')).toBe(xml);
    const journal = fx.store.db
      .prepare('SELECT outcome, disposition, target_path AS target, filed_at AS filed FROM intake_files')
      .get() as Record<string, unknown>;
    expect(journal).toMatchObject({ outcome: 'new', disposition: 'BAK', target: `UpCast/B2SSTORAGE/F0401/BAK/${day()}/a.xml` });
    expect(journal.filed).toEqual(expect.any(Number));
  });

  it('settles a large batch at once, in a transaction of its own', async () => {
    const claimed = Array.from({ length: 64 }, (_, i) => {
      fx.drop('F0401', `big${i}.xml`, f0401Xml({ number: invoiceNumber(100 + i) }));
      return fx.claim('F0401', `big${i}.xml`);
    });
    await processor.process(claimed);
    expect(new Set(rows().map((r) => r.state))).toEqual(new Set(['queued']));
    expect(fx.store.db.prepare('SELECT count(*) FROM intake_files WHERE filed_at IS NULL').pluck().get()).toBe(0);
  });

  it("settles a batch in the next batch's record transaction, or on flush when intake goes idle", async () => {
    fx.drop('F0401', 'a.xml', f0401Xml({ number: invoiceNumber(11) }));
    await processor.process([fx.claim('F0401', 'a.xml')]);
    // Filed in BAK and fsynced, not yet settled: still received, the journal row not yet filed.
    expect(existsSync(bak('F0401', 'a.xml'))).toBe(true);
    expect(rows().map((r) => r.state)).toEqual(['received']);
    fx.drop('F0401', 'b.xml', f0401Xml({ number: invoiceNumber(12) }));
    await processor.process([fx.claim('F0401', 'b.xml')]);
    expect(rows().map((r) => r.state)).toEqual(['queued', 'received']);
    processor.flush();
    expect(rows().map((r) => r.state)).toEqual(['queued', 'queued']);
    expect(fx.store.db.prepare('SELECT count(*) FROM intake_files WHERE filed_at IS NULL').pluck().get()).toBe(0);
  });

  it('logs one line per file when its message settles, with the message key and never the payload', async () => {
    fx.drop('F0401', 'a.xml', f0401Xml({ number: invoiceNumber(1) }));
    await processor.process([fx.claim('F0401', 'a.xml')]);
    processor.flush();
    const changes = log.lines.filter((l) => l.event === 'message-state');
    expect(changes.map((l) => [l.from, l.to, l.file])).toEqual([['received', 'queued', 'a.xml']]);
    expect(changes.every((l) => typeof l.messageKey === 'string' && (l.messageKey as string).startsWith('F0401AB00000001'))).toBe(true);
    expect(JSON.stringify(log.lines)).not.toContain('<Invoice');
  });

  it('files an invalid file in ERR with a .err.json and a .err.txt report naming its codes', async () => {
    fx.drop('F0401', 'bad.xml', f0401XmlWithWrongTotal({ number: invoiceNumber(2) }));
    const outcome = await processor.process([fx.claim('F0401', 'bad.xml')]);
    processor.flush();
    expect(outcome).toMatchObject({ accepted: 0, invalid: 1 });
    expect(existsSync(err('F0401', 'bad.xml'))).toBe(true);
    const report = JSON.parse(readFileSync(err('F0401', 'bad.xml.err.json'), 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({ file: 'bad.xml', codes: ['amount-total'], droppedIn: 'UpCast/B2SSTORAGE/F0401/SRC/bad.xml' });
    const text = readFileSync(err('F0401', 'bad.xml.err.txt'), 'utf8');
    expect(text).toContain('[amount-total] line');
    expect(text).toContain('What to do:');
    expect(rows()).toEqual([expect.objectContaining({ state: 'invalid', code: 'amount-total', kept: 0, holds: 0 })]);
  });

  it('files a file that is not XML at all in ERR, and keeps going with the rest of the batch', async () => {
    fx.drop('F0401', 'junk.xml', 'this is not xml');
    fx.drop('F0401', 'good.xml', f0401Xml({ number: invoiceNumber(3) }));
    const outcome = await processor.process([fx.claim('F0401', 'junk.xml'), fx.claim('F0401', 'good.xml')]);
    processor.flush();
    expect(outcome).toMatchObject({ accepted: 1, invalid: 1 });
    expect(JSON.parse(readFileSync(err('F0401', 'junk.xml.err.json'), 'utf8'))).toMatchObject({
      codes: ['wellformed'],
      messageType: 'F0401',
    });
  });

  it('reads and validates in worker threads with the same outcome, keeping the exact bytes', async () => {
    const inspector = await WorkerFileInspector.start(2, { validator: {}, maxBytes: 20 * 1024 * 1024 });
    try {
      const viaWorkers = new BatchProcessor(fx.store, inspector, fx.layout, log.logger);
      const good = f0401Xml({ number: invoiceNumber(4) });
      fx.drop('F0401', 'good.xml', good);
      fx.drop('F0401', 'bad.xml', f0401XmlWithWrongTotal({ number: invoiceNumber(5) }));
      fx.drop('F0401', 'junk.xml', 'this is not xml');
      const outcome = await viaWorkers.process([
        fx.claim('F0401', 'good.xml'),
        fx.claim('F0401', 'bad.xml'),
        fx.claim('F0401', 'junk.xml'),
      ]);
      viaWorkers.flush();
      expect(outcome).toMatchObject({ accepted: 1, invalid: 2 });
      expect(rows().map((r) => [r.state, r.code])).toEqual([
        ['queued', null],
        ['invalid', 'amount-total'],
        ['invalid', 'wellformed'],
      ]);
      expect(new MessageBytes(fx.store.db).read(rows()[0]!.id as number)?.toString('utf8')).toBe(good);
      expect(readFileSync(bak('F0401', 'good.xml'), 'utf8')).toBe(good);
    } finally {
      await inspector.close();
    }
  });

  it('moves a file whose key and hash are already recorded to BAK without a second row', async () => {
    const xml = f0401Xml({ number: invoiceNumber(4) });
    fx.drop('F0401', 'first.xml', xml);
    await processor.process([fx.claim('F0401', 'first.xml')]);
    processor.flush();
    fx.drop('F0401', 'again.xml', xml);
    const outcome = await processor.process([fx.claim('F0401', 'again.xml')]);
    processor.flush();
    expect(outcome).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(readFileSync(bak('F0401', 'again.xml'), 'utf8')).toBe(xml);
    expect(rows()).toHaveLength(1);
    const events = fx.store.db.prepare('SELECT kind, detail FROM message_events WHERE message_id = 1 ORDER BY id').all();
    expect(events).toContainEqual({ kind: 'duplicate', detail: 'UpCast/B2SSTORAGE/F0401/SRC/again.xml' });
  });

  it('refuses the same key with other content as duplicate-conflict and never overwrites the first', async () => {
    const first = f0401Xml({ number: invoiceNumber(5) });
    const other = f0401Xml({ number: invoiceNumber(5), items: [{ description: 'Tea', quantity: 1, unitPrice: 100 }] });
    fx.drop('F0401', 'first.xml', first);
    fx.drop('F0401', 'other.xml', other);
    // Both in one batch: the second sees the first's row inside the same transaction.
    const outcome = await processor.process([fx.claim('F0401', 'first.xml'), fx.claim('F0401', 'other.xml')]);
    processor.flush();
    expect(outcome).toMatchObject({ accepted: 1, invalid: 1 });
    const [holder, refused] = rows();
    expect(holder).toMatchObject({ state: 'queued', sha256: sha(first), holds: 1 });
    expect(refused).toMatchObject({ state: 'invalid', code: 'duplicate-conflict', sha256: sha(other), holds: 0 });
    expect(JSON.parse(readFileSync(err('F0401', 'other.xml.err.json'), 'utf8'))).toMatchObject({ codes: ['duplicate-conflict'] });
    expect(
      fx.store.db
        .prepare("SELECT count(*) FROM message_events WHERE message_id = ? AND kind = 'duplicate-conflict'")
        .pluck()
        .get(holder!.id),
    ).toBe(1);
  });

  it("refuses a message dropped into another type's folder with wrong-folder", async () => {
    fx.drop('F0401', 'cancel.xml', f0501Xml({ number: invoiceNumber(6) }));
    await processor.process([fx.claim('F0401', 'cancel.xml')]);
    processor.flush();
    expect(rows()).toEqual([expect.objectContaining({ state: 'invalid', code: 'wrong-folder' })]);
    expect(readFileSync(err('F0401', 'cancel.xml.err.txt'), 'utf8')).toContain('UpCast/B2SSTORAGE/F0501/SRC/');
  });

  it('takes a cancel of an invoice as its own message, not as a duplicate', async () => {
    fx.drop('F0401', 'inv.xml', f0401Xml({ number: invoiceNumber(7) }));
    fx.drop('F0501', 'cancel.xml', f0501Xml({ number: invoiceNumber(7) }));
    const outcome = await processor.process([fx.claim('F0401', 'inv.xml'), fx.claim('F0501', 'cancel.xml')]);
    processor.flush();
    expect(outcome).toMatchObject({ accepted: 2 });
    expect(rows().map((r) => (r.key as string).slice(0, 15))).toEqual(['F0401AB00000007', 'F0501AB00000007']);
  });

  it('never overwrites a file already in BAK: the newcomer gets a numbered name', async () => {
    mkdirSync(join(fx.layout.folder('F0401')!.bak, day()), { recursive: true });
    writeFileSync(bak('F0401', 'a.xml'), 'somebody else');
    writeFileSync(bak('F0401', 'a~1.xml'), 'somebody else too');
    const xml = f0401Xml({ number: invoiceNumber(8) });
    fx.drop('F0401', 'a.xml', xml);
    await processor.process([fx.claim('F0401', 'a.xml')]);
    processor.flush();
    expect(readFileSync(bak('F0401', 'a.xml'), 'utf8')).toBe('somebody else');
    expect(readFileSync(bak('F0401', 'a~2.xml'), 'utf8')).toBe(xml);
  });

  it('refuses a file over validation.maxBytes as too-large, hashing it without reading it whole', async () => {
    const small = new BatchProcessor(fx.store, new InlineFileInspector(validator, 2048), fx.layout, log.logger);
    const big = Buffer.alloc(5000, 'x');
    fx.drop('F0401', 'big.xml', big);
    await small.process([fx.claim('F0401', 'big.xml')]);
    small.flush();
    expect(rows()).toEqual([expect.objectContaining({ state: 'invalid', code: 'too-large', sha256: sha(big) })]);
  });

  it('forgets a claimed file that vanished before it was read, without failing the batch', async () => {
    fx.drop('F0401', 'gone.xml', f0401Xml({ number: invoiceNumber(9) }));
    fx.drop('F0401', 'kept.xml', f0401Xml({ number: invoiceNumber(10) }));
    const gone = fx.claim('F0401', 'gone.xml');
    const kept = fx.claim('F0401', 'kept.xml');
    rmSync(gone.workPath); // someone removes it from WORK by hand
    const outcome = await processor.process([gone, kept]);
    processor.flush();
    expect(outcome).toMatchObject({ accepted: 1, vanished: 1 });
  });

  it('refuses a file that stays unreadable for a minute as unreadable (ERR, with a report); before that it waits in WORK', async () => {
    let now = Date.now();
    const unreadable: FileInspector = {
      inspect: (files) => Promise.resolve(files.map(() => ({ kind: 'unreadable' as const, code: 'EACCES', message: 'permission denied' }))),
      close: () => Promise.resolve(),
    };
    const locked = new BatchProcessor(fx.store, unreadable, fx.layout, log.logger, () => now);
    fx.drop('F0401', 'locked.xml', f0401Xml({ number: invoiceNumber(11) }));
    const file = fx.claim('F0401', 'locked.xml');
    expect(await locked.process([file])).toMatchObject({ deferred: [file], invalid: 0 });
    now += 30_000;
    expect(await locked.process([file])).toMatchObject({ deferred: [file], invalid: 0 });
    expect(rows()).toEqual([]);
    now += 31_000;
    expect(await locked.process([file])).toMatchObject({ deferred: [], invalid: 1 });
    locked.flush();
    expect(rows()).toEqual([expect.objectContaining({ state: 'invalid', code: 'unreadable' })]);
    expect(readFileSync(`${err('F0401', 'locked.xml')}.err.txt`, 'utf8')).toContain('[unreadable]');
    expect(existsSync(err('F0401', 'locked.xml'))).toBe(true);
    // The warning is written once, not on every retry.
    expect(log.lines.filter((l) => l.event === 'file-deferred')).toHaveLength(1);
  });

  it('never holds running out of file handles against a file', async () => {
    let now = Date.now();
    const exhausted: FileInspector = {
      inspect: (files) =>
        Promise.resolve(files.map(() => ({ kind: 'unreadable' as const, code: 'EMFILE', message: 'too many open files' }))),
      close: () => Promise.resolve(),
    };
    const busy = new BatchProcessor(fx.store, exhausted, fx.layout, log.logger, () => now);
    fx.drop('F0401', 'fine.xml', f0401Xml({ number: invoiceNumber(12) }));
    const file = fx.claim('F0401', 'fine.xml');
    await busy.process([file]);
    now += 3_600_000;
    expect(await busy.process([file])).toMatchObject({ deferred: [file], invalid: 0 });
  });

  it('leaves a file whose folder refuses it in WORK, raises the problem once, and files it once the folder takes it', async () => {
    const errFolder = join(fx.layout.folder('F0401')!.err, day());
    mkdirSync(fx.layout.folder('F0401')!.err, { recursive: true });
    writeFileSync(errFolder, 'a file where the day folder should be');
    fx.drop('F0401', 'bad1.xml', f0401XmlWithWrongTotal({ number: invoiceNumber(13) }));
    fx.drop('F0401', 'good.xml', f0401Xml({ number: invoiceNumber(14) }));
    const outcome = await processor.process([fx.claim('F0401', 'bad1.xml'), fx.claim('F0401', 'good.xml')]);
    processor.flush();
    expect(outcome).toMatchObject({ accepted: 1 });
    expect(processor.filingPending).toBe(true);
    expect(rows().map((r) => r.state)).toEqual(['received', 'queued']);
    const open = () => fx.store.db.prepare('SELECT subject, code FROM problems WHERE resolved_at IS NULL').all();
    expect(open()).toEqual([{ subject: 'UpCast/B2SSTORAGE/F0401/ERR', code: 'filing-failed' }]);
    expect(log.lines.filter((l) => l.event === 'filing-failed')).toHaveLength(1);

    rmSync(errFolder);
    const unfiled = fx.store.db
      .prepare(
        'SELECT id, claim_name AS claimName, folder_type AS folderType, original_name AS originalName, sha256, size, outcome, ' +
          'disposition, target_path AS targetPath, message_id AS messageId FROM intake_files WHERE filed_at IS NULL',
      )
      .all();
    processor.refile(unfiled as Parameters<BatchProcessor['refile']>[0]);
    expect(rows().map((r) => r.state)).toEqual(['invalid', 'queued']);
    expect(existsSync(err('F0401', 'bad1.xml'))).toBe(true);
    expect(open()).toEqual([]);
  });

  it("checks invoice numbers against the seller's allocations, and records a head office's allotment (E0401) for its branch", async () => {
    fx.cleanup();
    fx = intakeFixture(['F0401', 'E0401']);
    processor = new BatchProcessor(fx.store, new InlineFileInspector(validator, 20 * 1024 * 1024), fx.layout, log.logger);
    const date = taiwanDay(Date.now() - 86_400_000);
    const period = periodOfDate(date)!;
    new TrackAllocations(fx.store.db).record(
      [{ ban: DEFAULT_SELLER_ID, headBan: null, period, invoiceType: '07', track: 'AB', begin: 12345600, end: 12345699, booklets: 2 }],
      { source: 'file', sourceRef: 'list.csv' },
    );
    fx.drop('E0401', 'allot.xml', e0401Xml({ track: 'AB', begin: 12345650, booklets: 1, period }));
    await processor.process([fx.claim('E0401', 'allot.xml')]);
    const files: Array<[string, string, string]> = [
      ['own.xml', 'AB12345601', DEFAULT_SELLER_ID],
      ['allotted-away.xml', 'AB12345660', DEFAULT_SELLER_ID],
      ['branch.xml', 'AB12345661', DEFAULT_BRANCH_ID],
      ['letters.xml', 'ZZ12345602', DEFAULT_SELLER_ID],
    ];
    for (const [name, number, sellerId] of files) fx.drop('F0401', name, f0401Xml({ number, date, sellerId }));
    await processor.process(files.map(([name]) => fx.claim('F0401', name)));
    processor.flush();
    expect(rows().map((r) => [r.state, r.code])).toEqual([
      ['queued', null],
      ['queued', null],
      ['invalid', 'track-range'],
      ['queued', null],
      ['invalid', 'track-period'],
    ]);
    const report = readFileSync(`${err('F0401', 'letters.xml')}.err.txt`, 'utf8');
    expect(report).toContain('ZZ12345602');
    expect(report).toContain('(AB)');
  });
});
