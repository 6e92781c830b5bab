import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { OutboundQueries } from '../../src/store/OutboundQueries.js';
import { PackTransitions } from '../../src/store/PackTransitions.js';
import { Store } from '../../src/store/Store.js';
import { newMessage, packFor } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

describe('pack transitions', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let messages: MessageTransitions;
  let packs: PackTransitions;
  let queries: OutboundQueries;

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(`${dir.path}/t.db`);
    messages = new MessageTransitions(store.db);
    packs = new PackTransitions(store.db, messages);
    queries = new OutboundQueries(store.db);
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  function queuedMessages(n: number): number[] {
    return Array.from({ length: n }, (_, i) => {
      const { messageId } = messages.receive(newMessage(i));
      messages.move(messageId, 'received', 'queued');
      return messageId;
    });
  }
  const stateOf = (id: number) => store.db.prepare('SELECT state FROM messages WHERE id = ?').pluck().get(id);

  it('records a pack and moves its messages queued → packed in one transaction', () => {
    const ids = queuedMessages(3);
    const { packId, changes } = packs.create(packFor('p1'), ids);
    expect(changes).toMatchObject([{ packId, from: 'queued', to: 'packed', messageIds: ids }]);
    expect(store.db.prepare("SELECT count(*) FROM message_events WHERE to_state = 'packed'").pluck().get()).toBe(3);
    expect(queries.messagesOf(packId).map((m) => m.state)).toEqual(['packed', 'packed', 'packed']);
    expect(queries.packById(packId)).toMatchObject({ state: 'packed', messageCount: 3, notifyCount: 0 });
  });

  it('refuses to pack a message that is no longer queued, and writes nothing', () => {
    const ids = queuedMessages(2);
    messages.move(ids[1]!, 'queued', 'failed');
    expect(() => packs.create(packFor('p1'), ids)).toThrow(/expected state queued/);
    expect(stateOf(ids[0]!)).toBe('queued');
    expect(queries.packByCommonName('p1')).toBeUndefined();
  });

  it('numbers notifications so each carries the count of those sent before (retry)', () => {
    const { packId } = packs.create(packFor('p1'), queuedMessages(1));
    expect(packs.startAttempt(packId, 'upload').retry).toBe(-1);
    expect(packs.startAttempt(packId, 'notify').retry).toBe(0);
    expect(packs.startAttempt(packId, 'notify').retry).toBe(1);
    expect(queries.packById(packId)).toMatchObject({ attempts: 3, notifyCount: 2 });
  });

  it("moves an unknown pack's messages to uploaded when a re-notification is accepted", () => {
    const ids = queuedMessages(2);
    const { packId } = packs.create(packFor('p1'), ids);
    packs.fileUploaded(packId);
    packs.unknown(packId, 'file-uploaded', Date.now(), 'gateway-timeout', 'no answer');
    expect(ids.map(stateOf)).toEqual(['unknown', 'unknown']);
    packs.notified(packId, 'unknown');
    expect(ids.map(stateOf)).toEqual(['uploaded', 'uploaded']);
  });

  it('applies a late result to messages that had failed: a late success is never lost', () => {
    const ids = queuedMessages(2);
    const { packId } = packs.create(packFor('p1'), ids);
    packs.fileUploaded(packId);
    packs.unknown(packId, 'file-uploaded', Date.now(), 'gateway-timeout', 'no answer');
    packs.failed(packId, 'unknown', 'retries-exhausted', 'gave up');
    expect(ids.map(stateOf)).toEqual(['failed', 'failed']);
    let applied = false;
    packs.settle(
      packId,
      [
        { messageId: ids[0]!, verdict: 'confirmed', code: null, text: null },
        { messageId: ids[1]!, verdict: 'rejected', code: 'E1003', text: 'issued twice' },
      ],
      () => (applied = true),
    );
    expect(ids.map(stateOf)).toEqual(['confirmed', 'rejected']);
    expect(applied).toBe(true);
    expect(queries.packById(packId)!.state).toBe('settled');
  });

  it('passes a still-packed message through uploaded when its result arrives first', () => {
    const ids = queuedMessages(1);
    const { packId } = packs.create(packFor('p1'), ids);
    const changes = packs.settle(packId, [{ messageId: ids[0]!, verdict: 'confirmed', code: null, text: null }], () => undefined);
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['packed→uploaded', 'uploaded→confirmed']);
    expect(changes.every((c) => c.messageIds.length === 1 && c.messageIds[0] === ids[0])).toBe(true);
  });

  it('does not settle a message twice when the same result is applied again', () => {
    const ids = queuedMessages(1);
    const { packId } = packs.create(packFor('p1'), ids);
    packs.settle(packId, [{ messageId: ids[0]!, verdict: 'confirmed', code: null, text: null }], () => undefined);
    expect(packs.settle(packId, [{ messageId: ids[0]!, verdict: 'rejected', code: 'X', text: null }], () => undefined)).toEqual([]);
    expect(stateOf(ids[0]!)).toBe('confirmed');
  });

  it('rejects the messages of a pack the gateway refused for its content', () => {
    const ids = queuedMessages(2);
    const { packId } = packs.create(packFor('p1'), ids);
    packs.fileUploaded(packId);
    packs.refused(packId, 'file-uploaded', 'E0004', 'signature');
    expect(ids.map(stateOf)).toEqual(['rejected', 'rejected']);
    const codes = store.db.prepare('SELECT error_code FROM messages').pluck().all();
    expect(codes).toEqual(['E0004', 'E0004']);
  });

  it('lists only packs whose next attempt is due', () => {
    const { packId } = packs.create(packFor('p1'), queuedMessages(1));
    packs.retryLater(packId, 'packed', Date.now() + 60_000, 'sftp-connect', 'refused');
    expect(queries.duePacks(Date.now(), 10)).toEqual([]);
    expect(queries.duePacks(Date.now() + 61_000, 10).map((p) => p.id)).toEqual([packId]);
  });
});
