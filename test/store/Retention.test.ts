import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageBytes } from '../../src/store/MessageBytes.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { Retention } from '../../src/store/Retention.js';
import { Store } from '../../src/store/Store.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

const DAY = 86_400_000;

describe('MessageBytes and Retention', () => {
  let store: Store;
  let cleanup: () => void;
  let now: number;

  beforeEach(() => {
    const dir = tempDir();
    cleanup = dir.cleanup;
    store = Store.open(join(dir.path, 'turnkey.db'));
    now = Date.UTC(2025, 0, 1);
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  function keep(n: number, content: string): { id: number; sha256: string } {
    const bytes = Buffer.from(content);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const transitions = new MessageTransitions(store.db, () => now);
    const { messageId } = transitions.receive(newMessage(n, { sha256, bytesKept: true }));
    new MessageBytes(store.db, () => now).keep(messageId, sha256, bytes);
    return { id: messageId, sha256 };
  }

  function confirm(id: number): void {
    const t = new MessageTransitions(store.db, () => now);
    t.move(id, 'received', 'queued');
    t.move(id, 'queued', 'packed');
    t.move(id, 'packed', 'uploaded');
    t.move(id, 'uploaded', 'confirmed');
  }

  it('returns the kept bytes exactly, and refuses bytes that no longer match their hash', () => {
    const { id } = keep(1, '<Invoice>1</Invoice>');
    const bytes = new MessageBytes(store.db);
    expect(bytes.read(id)?.toString()).toBe('<Invoice>1</Invoice>');
    store.db.prepare('UPDATE message_bytes SET bytes = ? WHERE message_id = ?').run(Buffer.from('<Invoice>2</Invoice>'), id);
    expect(() => bytes.read(id)).toThrowError(expect.objectContaining({ code: 'bytes-mismatch' }) as unknown as Error);
  });

  it('releases the bytes of messages final for longer than the retention, and keeps the others', () => {
    const old = keep(1, 'old confirmed');
    const recent = keep(2, 'recent confirmed');
    const pending = keep(3, 'still queued');
    confirm(old.id);
    now += 10 * DAY;
    confirm(recent.id);
    now += 1 * DAY;
    const pruned = new Retention(store.db, () => now).pruneFinalBytes(5);
    expect(pruned).toBe(1);
    const bytes = new MessageBytes(store.db);
    expect(bytes.read(old.id)).toBeUndefined();
    expect(bytes.read(recent.id)?.toString()).toBe('recent confirmed');
    expect(bytes.read(pending.id)?.toString()).toBe('still queued');
    expect(store.db.prepare("SELECT kind FROM message_events WHERE message_id = ? AND kind = 'bytes-pruned'").pluck().get(old.id)).toBe(
      'bytes-pruned',
    );
    expect(new Retention(store.db, () => now).pruneFinalBytes(5)).toBe(0);
  });

  it('keeps the bytes of a message with the same content as a pruned one', () => {
    const first = keep(1, 'same content');
    const second = keep(2, 'same content');
    confirm(first.id);
    now += 30 * DAY;
    new Retention(store.db, () => now).pruneFinalBytes(5);
    expect(new MessageBytes(store.db).read(first.id)).toBeUndefined();
    expect(new MessageBytes(store.db).read(second.id)?.toString()).toBe('same content');
  });
});
