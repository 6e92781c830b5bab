import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimNameFor } from '../../src/fs/claimNames.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { Store } from '../../src/store/Store.js';
import { periodBounds } from '../../src/time/periods.js';
import { TrackBook } from '../../src/tracks/TrackBook.js';
import { Validator } from '../../src/validation/Validator.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';
import { allocation, HEAD } from '../helpers/tracks.js';

const PERIOD = '11508';
const AFTER = periodBounds(PERIOD)!.end + 5 * 86_400_000;
const SETTINGS = { auto: true, daysAfterPeriodEnd: 3, quietHours: 24 };

describe('TrackBook: each group reported once', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let validator: Validator;
  let book: TrackBook;
  beforeAll(async () => {
    validator = await Validator.create();
  });
  afterAll(() => validator.dispose());
  beforeEach(() => {
    dir = tempDir('turnkey-trackbook-');
    store = Store.open(join(dir.path, 'turnkey.db'));
    book = new TrackBook(store.db, dir.path, () => AFTER);
    book.allocations.record([allocation({ period: PERIOD })], { source: 'E0501', sourceRef: 'a' });
    const messages = new MessageTransitions(store.db);
    const { messageId } = messages.receive(newMessage(1, { invoiceNumber: 'AB12345600', invoiceDate: '20260831' }));
    for (const [from, to] of [
      ['received', 'queued'],
      ['queued', 'packed'],
      ['packed', 'uploaded'],
      ['uploaded', 'confirmed'],
    ] as const) {
      messages.move(messageId, from, to);
    }
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  const generate = (force = false) => book.generate(PERIOD, SETTINGS, { trigger: 'cli', validator, force });

  it('refuses a second report while the first waits in SRC or stands, even with --force', () => {
    const first = generate();
    expect(first).toMatchObject({ dropped: true, messages: [{ messageKey: `E0402AB12345601${PERIOD}`, numbers: 99 }] });
    const again = generate(true);
    expect(again.dropped).toBe(false);
    expect(again.blockers).toMatchObject([{ code: 'already-reported', forcible: false }]);
    expect(again.reported).toEqual([
      { fileName: `E0402_${PERIOD}_${HEAD}_${HEAD}_07_AB.xml`, messageKey: `E0402AB12345601${PERIOD}`, state: null },
    ]);
  });

  it('reports again, under a name of its own, with --force once the platform refused the first report', () => {
    generate();
    const messages = new MessageTransitions(store.db);
    const { messageId } = messages.receive(
      newMessage(2, { messageType: 'E0402', messageKey: `E0402AB12345601${PERIOD}`, invoiceNumber: 'AB12345601', invoiceDate: PERIOD }),
    );
    for (const [from, to] of [
      ['received', 'queued'],
      ['queued', 'packed'],
      ['packed', 'uploaded'],
      ['uploaded', 'rejected'],
    ] as const) {
      messages.move(messageId, from, to);
    }
    expect(generate().blockers).toMatchObject([{ code: 'already-reported', forcible: true }]);
    const forced = generate(true);
    expect(forced.dropped).toBe(true);
    expect(forced.messages.map((m) => m.fileName)).toEqual([`E0402_${PERIOD}_${HEAD}_${HEAD}_07_AB_g2.xml`]);
    expect(existsSync(join(book.srcDir(), `E0402_${PERIOD}_${HEAD}_${HEAD}_07_AB_g2.xml`))).toBe(true);
  });

  it('reports a group that became known later on its own', () => {
    generate();
    book.allocations.record([allocation({ period: PERIOD, track: 'CD', begin: 0, end: 49, booklets: 1 })], {
      source: 'E0501',
      sourceRef: 'late',
    });
    const late = generate();
    expect(late.messages.map((m) => m.track)).toEqual(['CD']);
    expect(late.dropped).toBe(true);
  });

  it('never replaces a report file already in SRC, written by a run beside it that has not marked it yet', () => {
    const [report] = generate().messages;
    const file = join(book.srcDir(), report!.fileName);
    const before = statSync(file).ino;
    // The other run wrote the file and is about to mark the report: it is still planned.
    store.db.prepare("UPDATE blank_reports SET state = 'planned', dropped_at = NULL").run();
    expect(book.dropPlanned()).toMatchObject({ dropped: [{ fileName: report!.fileName }], heldBack: [] });
    expect(statSync(file).ino).toBe(before);
    expect(store.db.prepare('SELECT state FROM blank_reports').pluck().all()).toEqual(['dropped']);
  });

  it('leaves a report planned while another file holds its name, and writes it once the name is free', () => {
    const [report] = generate().messages;
    const file = join(book.srcDir(), report!.fileName);
    const ours = readFileSync(file);
    store.db.prepare("UPDATE blank_reports SET state = 'planned', dropped_at = NULL").run();
    writeFileSync(file, 'not ours');
    expect(book.dropPlanned()).toMatchObject({ dropped: [], heldBack: [{ fileName: report!.fileName }] });
    // `turnkey tracks blank` says so, and exits 1 for it.
    expect(generate().blockers).toMatchObject([{ code: 'already-reported' }, { code: 'name-taken' }]);
    expect(readFileSync(file, 'utf8')).toBe('not ours');
    expect(store.db.prepare('SELECT state FROM blank_reports').pluck().all()).toEqual(['planned']);
    rmSync(file); // intake took it
    expect(book.dropPlanned()).toMatchObject({ dropped: [{ fileName: report!.fileName }], heldBack: [] });
    expect(readFileSync(file)).toEqual(ours);
  });

  describe('a report whose writer was killed before marking it', () => {
    /** The first run wrote the file and was killed before it marked the report. */
    const killedAfterWriting = () => {
      const [report] = generate().messages;
      store.db.prepare("UPDATE blank_reports SET state = 'planned', dropped_at = NULL").run();
      const file = join(book.srcDir(), report!.fileName);
      return { name: report!.fileName, key: report!.messageKey, file, bytes: readFileSync(file) };
    };
    const recordAsIntake = (written: ReturnType<typeof killedAfterWriting>, at: number) =>
      new MessageTransitions(store.db, () => at).receive(
        newMessage(2, {
          messageType: 'E0402',
          messageKey: written.key,
          invoiceNumber: 'AB12345601',
          invoiceDate: PERIOD,
          sha256: createHash('sha256').update(written.bytes).digest('hex'),
        }),
      );
    const reportState = () => store.db.prepare('SELECT state FROM blank_reports').pluck().all();
    /** The path intake gives a file of this name when it claims it into E0402's WORK. */
    const claimInWork = (name: string): string => {
      const work = join(book.srcDir(), '..', 'WORK');
      mkdirSync(work, { recursive: true });
      return join(work, claimNameFor(name));
    };

    it('is not written again once intake recorded its file', () => {
      const written = killedAfterWriting();
      recordAsIntake(written, AFTER + 1000);
      rmSync(written.file); // filed in BAK
      expect(book.dropPlanned()).toMatchObject({ dropped: [], taken: [{ fileName: written.name }], heldBack: [] });
      expect(existsSync(written.file)).toBe(false);
      expect(reportState()).toEqual(['dropped']);
    });

    it('is not written again while intake has its file in hand in WORK', () => {
      const written = killedAfterWriting();
      renameSync(written.file, claimInWork(written.name));
      expect(book.dropPlanned()).toMatchObject({ dropped: [], taken: [{ fileName: written.name }] });
      expect(existsSync(written.file)).toBe(false);
      expect(reportState()).toEqual(['dropped']);
    });

    it('is written again when the file of its name in WORK is another', () => {
      const written = killedAfterWriting();
      writeFileSync(claimInWork(written.name), 'another file of that name');
      rmSync(written.file);
      expect(book.dropPlanned()).toMatchObject({ dropped: [{ fileName: written.name }], taken: [] });
      expect(readFileSync(written.file)).toEqual(written.bytes);
    });

    it('is written again when what holds its key was recorded before the report, even with the same bytes', () => {
      const written = killedAfterWriting();
      recordAsIntake(written, AFTER - 1000);
      rmSync(written.file);
      expect(book.dropPlanned()).toMatchObject({ dropped: [{ fileName: written.name }], taken: [] });
      expect(readFileSync(written.file)).toEqual(written.bytes);
    });
  });

  it('holds the report for an invoice of the period refused at intake and never corrected', () => {
    const messages = new MessageTransitions(store.db);
    const { messageId } = messages.receive(newMessage(3, { invoiceNumber: 'AB12345610', invoiceDate: '20260830', holdsKey: false }));
    messages.move(messageId, 'received', 'invalid');
    expect(generate().blockers.map((b) => b.code)).toEqual(['invoices-refused']);
  });
});
