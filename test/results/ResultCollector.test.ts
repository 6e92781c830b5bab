import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ResultCollector } from '../../src/results/ResultCollector.js';
import { ResultInbox } from '../../src/results/ResultInbox.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { OutboundQueries } from '../../src/store/OutboundQueries.js';
import { PackTransitions } from '../../src/store/PackTransitions.js';
import { ReceivedFiles } from '../../src/store/ReceivedFiles.js';
import { Store } from '../../src/store/Store.js';
import type { PlatformFiles } from '../../src/transport/PlatformFiles.js';
import { InlineFileInspector } from '../../src/intake/FileInspector.js';
import { Validator } from '../../src/validation/Validator.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

const COMMON_NAME = '4.1-F0401-20261005-181500123-3f6c2a9e-8b1d-4c7e-9a52-0d4e6b7f1c38';
const SAMPLE = readFileSync(join(import.meta.dirname, '../../samples/valid/SummaryResult-F0401-one-failed.xml'), 'utf8');

/** A platform out/ folder in memory: the collector lists, downloads and removes what is put there. */
class FakeOut implements PlatformFiles {
  readonly files = new Map<string, Buffer>();
  connect = (): Promise<void> => Promise.resolve();
  upload = (): Promise<void> => Promise.reject(new Error('not here'));
  list = (): Promise<Array<{ name: string; size: number; modifiedAt: number }>> =>
    Promise.resolve([...this.files].map(([name, b]) => ({ name, size: b.length, modifiedAt: 0 })));
  download = (path: string): Promise<Buffer> => Promise.resolve(this.files.get(path.replace(/^out\//, ''))!);
  remove = (path: string): Promise<void> => Promise.resolve(void this.files.delete(path.replace(/^out\//, '')));
  close = (): Promise<void> => Promise.resolve();
}

describe('ResultCollector', () => {
  let validator: Validator;
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let out: FakeOut;
  let collector: ResultCollector;
  const problems: string[] = [];

  beforeAll(async () => {
    validator = await Validator.create();
  });
  afterAll(() => validator.dispose());
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    out = new FakeOut();
    problems.length = 0;
    const messages = new MessageTransitions(store.db);
    const packs = new PackTransitions(store.db, messages);
    const ids = ['QK10000010', 'QK10000011'].map((number, i) => {
      const { messageId } = messages.receive(
        newMessage(10 + i, { invoiceNumber: number, invoiceDate: '20261005', messageKey: `F0401${number}20261005` }),
      );
      messages.move(messageId, 'received', 'queued');
      return messageId;
    });
    const { packId } = packs.create(
      {
        commonName: COMMON_NAME,
        signedFileName: `x_53718426_0000000000_${COMMON_NAME}_2`,
        messageType: 'F0401',
        fromPartyId: '53718426',
        toPartyId: '0000000000',
        size: 10,
        zipped: false,
        payloadPath: '/nowhere',
        payloadSha256: 'ab',
      },
      ids,
    );
    packs.fileUploaded(packId);
    packs.notified(packId, 'file-uploaded');
    collector = new ResultCollector(
      store.db,
      [out],
      new ResultInbox(join(dir.path, 'inbox')),
      new ReceivedFiles(store.db),
      new OutboundQueries(store.db),
      packs,
      new InlineFileInspector(validator, 1 << 20),
      {
        changes: () => undefined,
        problem: (_file, problem) => problems.push(problem),
        received: () => undefined,
        packRefused: () => undefined,
      },
    );
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  const states = (): unknown => store.db.prepare('SELECT invoice_number AS n, state FROM messages ORDER BY id').all();

  it('applies a SummaryResult that its schema accepts', async () => {
    out.files.set(`${COMMON_NAME}-SummaryResult`, Buffer.from(SAMPLE));
    await collector.collect();
    expect(states()).toEqual([
      { n: 'QK10000010', state: 'confirmed' },
      { n: 'QK10000011', state: 'rejected' },
    ]);
    expect(problems).toEqual([]);
  });

  it("checks a pass's files together, and applies each once when two passes meet (the start's recovery and a collection)", async () => {
    const thread = new InlineFileInspector(validator, 1 << 20);
    const checked: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = {
      validate: async (bytes: Uint8Array, options: { file?: string } = {}) => {
        checked.push(options.file ?? '');
        await held; // the validation thread is busy: the first pass waits here
        return thread.validate(bytes, options);
      },
    };
    const messages = new MessageTransitions(store.db);
    const both = new ResultCollector(
      store.db,
      [out],
      new ResultInbox(join(dir.path, 'inbox')),
      new ReceivedFiles(store.db),
      new OutboundQueries(store.db),
      new PackTransitions(store.db, messages),
      slow,
      {
        changes: () => undefined,
        problem: (_file, problem) => problems.push(problem),
        received: () => undefined,
        packRefused: () => undefined,
      },
    );
    out.files.set(`${COMMON_NAME}-SummaryResult`, Buffer.from(SAMPLE));
    out.files.set('20261005-x-E0501', Buffer.from('not xml'));
    const collecting = both.collect();
    // Both files are with the validation thread at once: a busy thread is waited for once per pass.
    for (let turn = 0; turn < 100 && checked.length < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(checked.sort()).toEqual(['20261005-x-E0501', `${COMMON_NAME}-SummaryResult`]);
    const recovering = both.applyPending();
    release();
    await Promise.all([collecting, recovering]);
    expect(checked).toHaveLength(2);
    expect(states()).toEqual([
      { n: 'QK10000010', state: 'confirmed' },
      { n: 'QK10000011', state: 'rejected' },
    ]);
    expect(problems).toEqual([expect.stringMatching(/^not a readable E0501/)]);
  });

  it('applies what it can read of a SummaryResult with one odd field, and reports the field', async () => {
    // A date in neither form the schema knows: it matters to no verdict.
    out.files.set(
      `${COMMON_NAME}-SummaryResult`,
      Buffer.from(SAMPLE.replace('<InvoiceDate>20261005</InvoiceDate>', '<InvoiceDate>2026/10/05</InvoiceDate>')),
    );
    await collector.collect();
    expect(states()).toEqual([
      { n: 'QK10000010', state: 'confirmed' },
      { n: 'QK10000011', state: 'rejected' },
    ]);
    expect(problems).toEqual([expect.stringMatching(/^applied what could be read; SummaryResult\.xsd refuses: xsd: .*InvoiceDate/)]);
    expect(store.db.prepare('SELECT problem FROM received_files').pluck().get()).toMatch(/applied what could be read/);
  });

  it('decides nothing from an empty Count, and says so', async () => {
    // Without the lists, an empty Failed count must not read as "nothing failed".
    const odd = SAMPLE.replace(/<Invoices>[^]*?<\/Invoices>/g, '').replace(/<Failed>\s*<Count>1<\/Count>/, '<Failed><Count></Count>');
    expect(odd).toContain('<Failed><Count></Count>');
    out.files.set(`${COMMON_NAME}-SummaryResult`, Buffer.from(odd));
    await collector.collect();
    expect(states()).toEqual([
      { n: 'QK10000010', state: 'uploaded' },
      { n: 'QK10000011', state: 'uploaded' },
    ]);
    expect(problems.join(' ')).toMatch(/unreadable or Total/);
  });

  it('reads the other accounts, and applies what they gave, when one account cannot be reached', async () => {
    const broken = new FakeOut();
    broken.list = () => Promise.reject(Object.assign(new Error('login refused'), { code: 'sftp-auth' }));
    const both = new ResultCollector(
      store.db,
      [broken, out],
      new ResultInbox(join(dir.path, 'inbox')),
      new ReceivedFiles(store.db),
      new OutboundQueries(store.db),
      new PackTransitions(store.db, new MessageTransitions(store.db)),
      new InlineFileInspector(validator, 1 << 20),
      {
        changes: () => undefined,
        problem: () => undefined,
        received: () => undefined,
        packRefused: () => undefined,
      },
    );
    out.files.set(`${COMMON_NAME}-SummaryResult`, Buffer.from(SAMPLE));
    await expect(both.collect()).rejects.toThrow(/login refused/);
    expect(states()).toEqual([
      { n: 'QK10000010', state: 'confirmed' },
      { n: 'QK10000011', state: 'rejected' },
    ]);
  });

  it('reports, and never applies, a file that is not a readable result at all', async () => {
    out.files.set(`${COMMON_NAME}-SummaryResult`, Buffer.from('<SummaryResult xmlns="urn:GEINV:SummaryResult:4.1"><DetailList>'));
    await collector.collect();
    expect(states()).toEqual([
      { n: 'QK10000010', state: 'uploaded' },
      { n: 'QK10000011', state: 'uploaded' },
    ]);
    expect(problems).toEqual([expect.stringMatching(/^not a readable SummaryResult: wellformed/)]);
  });
});
