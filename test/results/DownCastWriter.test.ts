import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownCastWriter, type DownCastFile } from '../../src/results/DownCastWriter.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { Store } from '../../src/store/Store.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

describe('DownCast result files', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let messages: MessageTransitions;
  // 2026-11-22 20:00 UTC: already 2026-11-23 in Taiwan.
  const now = () => Date.UTC(2026, 10, 22, 20, 0, 0);

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    messages = new MessageTransitions(store.db, now);
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  /** Messages taken through queued → packed → uploaded to a final state. */
  function finalMessages(from: number, count: number, verdict: 'confirmed' | 'rejected', type = 'F0401'): void {
    for (let i = from; i < from + count; i++) {
      const { messageId } = messages.receive(
        newMessage(i, { messageType: type, messageKey: `${type}AB${String(i).padStart(8, '0')}20261122` }),
      );
      messages.move(messageId, 'received', 'queued');
      messages.move(messageId, 'queued', 'packed');
      messages.move(messageId, 'packed', 'uploaded');
      messages.move(messageId, 'uploaded', verdict, verdict === 'rejected' ? { code: 'E9102', text: 'the platform refused it' } : {});
    }
  }
  const filesIn = (folder: string): string[] =>
    readdirSync(join(dir.path, folder), { recursive: true })
      .map(String)
      .filter((n) => n.endsWith('.json'))
      .sort();
  const read = (folder: string, name: string): DownCastFile =>
    JSON.parse(readFileSync(join(dir.path, folder, name), 'utf8')) as DownCastFile;
  const untold = () =>
    store.db.prepare("SELECT count(*) FROM messages WHERE state IN ('confirmed', 'rejected') AND downcast_at IS NULL").pluck().get();

  it('tells every final message once, in files of at most maxPerFile results, one message type per file, under its Taiwan day', () => {
    finalMessages(0, 5, 'confirmed');
    finalMessages(5, 2, 'rejected');
    finalMessages(7, 3, 'confirmed', 'F0501');
    const writer = new DownCastWriter(store.db, dir.path, 4, now);
    expect(writer.writePending()).toBe(10);
    expect(untold()).toBe(0);

    const invoices = filesIn('DownCast/B2SSTORAGE/F0401');
    expect(invoices).toHaveLength(2);
    expect(invoices.every((n) => /^20261123\/20261123040000000-\d+\.json$/.test(n))).toBe(true);
    const results = invoices.flatMap((n) => read('DownCast/B2SSTORAGE/F0401', n).results);
    expect(results.map((r) => r.number)).toEqual(Array.from({ length: 7 }, (_, i) => `AB${String(i).padStart(8, '0')}`));
    expect(results[5]).toMatchObject({
      verdict: 'rejected',
      status: 'E',
      code: 'E9102',
      text: 'the platform refused it',
      invoiceIdentifier: 'F0401AB0000000520261122',
    });
    expect(results[0]).toMatchObject({ verdict: 'confirmed', status: 'C', code: null, sourceFile: 'AB00000000.xml' });
    const cancels = filesIn('DownCast/B2SSTORAGE/F0501');
    expect(cancels).toHaveLength(1);
    expect(read('DownCast/B2SSTORAGE/F0501', cancels[0]!)).toMatchObject({ messageType: 'F0501', count: 3 });

    // Nothing new: nothing written again.
    expect(writer.writePending()).toBe(0);
    finalMessages(10, 1, 'confirmed');
    expect(writer.writePending()).toBe(1);
    expect(filesIn('DownCast/B2SSTORAGE/F0401')).toHaveLength(3);
  });

  it('writes a file that could not be written, with the same name and results, on the next pass', () => {
    finalMessages(0, 3, 'confirmed');
    const writer = new DownCastWriter(store.db, dir.path, 1000, now);
    // The file's name is decided (and its messages assigned) before it is written: block that name.
    const planned = `DownCast/B2SSTORAGE/F0401/20261123/20261123040000000-1.json`;
    mkdirSync(join(dir.path, planned), { recursive: true });
    expect(() => writer.writePending()).toThrow();
    expect(untold()).toBe(3);
    rmSync(join(dir.path, planned), { recursive: true });
    expect(writer.writePending()).toBe(3);
    expect(read('', planned).results.map((r) => r.number)).toEqual(['AB00000000', 'AB00000001', 'AB00000002']);
    expect(filesIn('DownCast')).toEqual([planned.slice('DownCast/'.length)]);
    expect(untold()).toBe(0);
  });
});
