import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateTestCertificate, loadPfx } from '../../src/protocol/cms/index.js';
import { Packer } from '../../src/outbound/Packer.js';
import type { Sender } from '../../src/outbound/Senders.js';
import { parseSignedFileName } from '../../src/protocol/names.js';
import { MessageBytes } from '../../src/store/MessageBytes.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { OutboundQueries } from '../../src/store/OutboundQueries.js';
import { PackTransitions } from '../../src/store/PackTransitions.js';
import { Problems } from '../../src/store/Problems.js';
import { Store } from '../../src/store/Store.js';
import { f0401Xml, invoiceNumber } from '../helpers/f0401.js';
import { memoryLogger } from '../helpers/intakeHarness.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

const signer = loadPfx(generateTestCertificate({ commonName: 'packer test', password: 'pw' }).pfx, 'pw');
/** One sender, for every seller (the packer needs only its identity; nothing is sent here). */
const sender = { partyId: '53718426', routingId: '53718426', bans: ['*'], signer } as unknown as Sender;
const senders = { forSeller: () => sender };

describe('Packer', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let messages: MessageTransitions;
  let bytes: MessageBytes;
  let queries: OutboundQueries;
  let log: ReturnType<typeof memoryLogger>;

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    messages = new MessageTransitions(store.db);
    bytes = new MessageBytes(store.db);
    queries = new OutboundQueries(store.db);
    log = memoryLogger();
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  let n = 0;
  /** A queued message whose kept bytes are `content` (or none). */
  function queued(content: string | null, overrides: Parameters<typeof newMessage>[1] = {}): number {
    n++;
    const sha256 = createHash('sha256')
      .update(content ?? `none ${n}`)
      .digest('hex');
    const { messageId } = messages.receive(newMessage(n, { sha256, bytesKept: content !== null, ...overrides }));
    if (content !== null) bytes.keep(messageId, sha256, Buffer.from(content));
    messages.move(messageId, 'received', 'queued');
    return messageId;
  }
  const valid = (): string => f0401Xml({ number: invoiceNumber(1000 + n) });

  function packer(partsQueries: OutboundQueries = queries): Packer {
    return new Packer(
      {
        maxPackMessages: 1000,
        maxPackWaitMs: 0,
        zip: false,
        outboxDir: join(dir.path, 'outbox'),
        to: { partyId: '0000000000', routingId: '0000000000' },
      },
      {
        queries: partsQueries,
        packs: new PackTransitions(store.db, messages),
        messages,
        bytes,
        senders,
        problems: new Problems(store.db, 'sending'),
        logger: log.logger,
        onChanges: () => undefined,
      },
    );
  }
  const state = (id: number): unknown =>
    store.db.prepare("SELECT state || coalesce('/' || error_code, '') FROM messages WHERE id = ?").pluck().get(id);

  it('takes a message that cannot be spliced into an envelope out of the queue on its own, and packs the rest', () => {
    const good = [queued(valid()), queued(valid())];
    const unfit = queued('<?xml version="1.0" encoding="Big5"?><Invoice/>');
    const alsoGood = queued(valid());
    expect(packer().cutDuePacks()).toBe(1);
    expect(state(unfit)).toBe('failed/unpackable');
    for (const id of [...good, alsoGood]) expect(state(id)).toBe('packed');
    expect(log.lines.filter((l) => l.event === 'message-isolated')).toEqual([
      expect.objectContaining({ messageId: unfit, code: 'unpackable' }),
    ]);
  });

  it('isolates a message whose kept bytes are gone or altered, with its own code', () => {
    const gone = queued(null);
    const altered = queued(valid());
    store.db.prepare('UPDATE message_bytes SET bytes = ? WHERE message_id = ?').run(Buffer.from('<Invoice>changed</Invoice>'), altered);
    const good = queued(valid());
    expect(packer().cutDuePacks()).toBe(1);
    expect([state(gone), state(altered), state(good)]).toEqual(['failed/bytes-missing', 'failed/bytes-mismatch', 'packed']);
  });

  it('names the signed file from a portable form of the source name, whatever the ERP called it', () => {
    queued(valid(), { sourceName: `${'長'.repeat(80)}\\odd:name.xml` });
    packer().cutDuePacks();
    const [file] = readdirSync(join(dir.path, 'outbox'));
    expect(Buffer.byteLength(file!)).toBeLessThan(200);
    const { source } = parseSignedFileName(file!);
    expect(Buffer.byteLength(source)).toBeLessThanOrEqual(60);
    expect(source).not.toMatch(/[\\\\:]/);
  });

  it("keeps packing the other groups when one group fails for a reason not its messages', and raises that once", () => {
    const f0401 = queued(valid());
    const f0501 = queued(valid(), { messageType: 'F0501', messageKey: 'F0501XX0000000120250101' });
    // The store cannot give F0501's batch (say, a damaged index): only that group stops.
    const failing = Object.create(queries) as OutboundQueries;
    failing.queuedBatch = (type, seller, limit) => {
      if (type === 'F0501') throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
      return queries.queuedBatch(type, seller, limit);
    };
    const p = packer(failing);
    expect(p.cutDuePacks()).toBe(1);
    expect(p.cutDuePacks()).toBe(0); // waits before trying the failed group again
    expect([state(f0401), state(f0501)]).toEqual(['packed', 'queued']);
    expect(store.db.prepare('SELECT subject, code FROM problems WHERE resolved_at IS NULL').all()).toEqual([
      { subject: 'F0501/24634102', code: 'pack-failed' },
    ]);
    expect(log.lines.filter((l) => l.event === 'pack-failed')).toHaveLength(1);
  });
});
