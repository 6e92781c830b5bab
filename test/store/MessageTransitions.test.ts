import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageQueries } from '../../src/store/MessageQueries.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { MESSAGE_STATES, TURNKEY_STATUS, ALLOWED, type MessageState } from '../../src/store/states.js';
import { Store } from '../../src/store/Store.js';
import { StoreError } from '../../src/store/StoreError.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

/** A path through the state machine from `received` to every state (the shortest one). */
function pathTo(target: MessageState): MessageState[] {
  const queue: MessageState[][] = [['received']];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const last = path[path.length - 1]!;
    if (last === target) return path;
    for (const next of ALLOWED[last]) if (!path.includes(next)) queue.push([...path, next]);
  }
  throw new Error(`${target} is unreachable from received`);
}

describe('MessageTransitions', () => {
  let store: Store;
  let cleanup: () => void;
  let now: number;
  let transitions: MessageTransitions;

  beforeEach(() => {
    const dir = tempDir();
    cleanup = dir.cleanup;
    store = Store.open(join(dir.path, 'turnkey.db'));
    now = Date.UTC(2025, 0, 1, 2, 3, 4, 5); // 2025-01-01 10:03:04.005 in Taiwan
    transitions = new MessageTransitions(store.db, () => now);
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  it('records a new message in received with its event', () => {
    const change = transitions.receive(newMessage(1));
    expect(change).toMatchObject({ from: null, to: 'received', messageKey: 'F0401AB0000000120250101' });
    const row = store.db.prepare('SELECT state, received_at AS at FROM messages WHERE id = ?').get(change.messageId);
    expect(row).toEqual({ state: 'received', at: now });
    const events = store.db.prepare('SELECT kind, from_state, to_state FROM message_events WHERE message_id = ?').all(change.messageId);
    expect(events).toEqual([{ kind: 'state', from_state: null, to_state: 'received' }]);
  });

  it('moves a message only from the state it names, recording the event and the final time', () => {
    const { messageId } = transitions.receive(newMessage(1));
    now += 10;
    const change = transitions.move(messageId, 'received', 'invalid', { code: 'amount-total' });
    expect(change).toMatchObject({ from: 'received', to: 'invalid', code: 'amount-total' });
    const row = store.db.prepare('SELECT state, final_at AS finalAt FROM messages WHERE id = ?').get(messageId);
    expect(row).toEqual({ state: 'invalid', finalAt: now });
    expect(store.db.prepare("SELECT count(*) FROM message_events WHERE message_id = ? AND kind = 'state'").pluck().get(messageId)).toBe(2);
  });

  it('refuses a move from a state the message is not in, and writes nothing', () => {
    const { messageId } = transitions.receive(newMessage(1));
    transitions.move(messageId, 'received', 'queued');
    const eventsBefore = store.db.prepare('SELECT count(*) FROM message_events').pluck().get();
    try {
      transitions.move(messageId, 'received', 'invalid');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('transition-conflict');
      expect((err as StoreError).message).toContain('found queued');
    }
    expect(store.db.prepare('SELECT state FROM messages WHERE id = ?').pluck().get(messageId)).toBe('queued');
    expect(store.db.prepare('SELECT count(*) FROM message_events').pluck().get()).toBe(eventsBefore);
  });

  it('refuses a move the state machine does not allow', () => {
    const { messageId } = transitions.receive(newMessage(1));
    expect(() => transitions.move(messageId, 'received', 'confirmed')).toThrowError(
      expect.objectContaining({ code: 'illegal-transition' }) as unknown as Error,
    );
  });

  it('lets only one message hold a key; invalid attempts may share it', () => {
    transitions.receive(newMessage(1));
    transitions.receive(newMessage(1, { holdsKey: false, sha256: 'b'.repeat(64) }));
    expect(() => transitions.receive(newMessage(1, { sha256: 'c'.repeat(64) }))).toThrow(/UNIQUE/);
    expect(new MessageQueries(store.db).findKeyHolder('F0401AB0000000120250101')).toMatchObject({ state: 'received' });
  });

  it('shows every state in TURNKEY_MESSAGE_LOG with its Turnkey status letter and Turnkey columns', () => {
    const ids = new Map<MessageState, number>();
    MESSAGE_STATES.forEach((state, i) => {
      const { messageId } = transitions.receive(newMessage(i + 1));
      const path = pathTo(state);
      for (let k = 1; k < path.length; k++) transitions.move(messageId, path[k - 1]!, path[k]!);
      ids.set(state, messageId);
    });
    const rows = store.db.prepare('SELECT * FROM TURNKEY_MESSAGE_LOG ORDER BY SEQNO').all() as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(MESSAGE_STATES.length);
    expect(Object.keys(rows[0]!)).toEqual([
      'SEQNO',
      'SUBSEQNO',
      'UUID',
      'MESSAGE_TYPE',
      'CATEGORY_TYPE',
      'PROCESS_TYPE',
      'FROM_PARTY_ID',
      'TO_PARTY_ID',
      'MESSAGE_DTS',
      'CHARACTER_COUNT',
      'STATUS',
      'IN_OUT_BOUND',
      'FROM_ROUTING_ID',
      'TO_ROUTING_ID',
      'INVOICE_IDENTIFIER',
    ]);
    for (const [state, id] of ids) {
      const row = rows.find((r) => r.SEQNO === String(id).padStart(8, '0'))!;
      expect(row.STATUS, state).toBe(TURNKEY_STATUS[state]);
    }
    expect(rows[0]).toMatchObject({
      MESSAGE_TYPE: 'F0401',
      CATEGORY_TYPE: 'B2S',
      PROCESS_TYPE: 'STORAGE',
      FROM_PARTY_ID: '24634102',
      TO_PARTY_ID: '0000000000',
      MESSAGE_DTS: '20250101100304005',
      IN_OUT_BOUND: 'O',
      INVOICE_IDENTIFIER: 'F0401AB0000000120250101',
    });
  });

  it('shows one TURNKEY_MESSAGE_LOG_DETAIL row per state change, with the state letter', () => {
    const { messageId } = transitions.receive(newMessage(1));
    transitions.move(messageId, 'received', 'queued');
    transitions.move(messageId, 'queued', 'packed');
    transitions.move(messageId, 'packed', 'uploaded');
    const rows = store.db.prepare('SELECT TASK, STATUS, FILENAME FROM TURNKEY_MESSAGE_LOG_DETAIL ORDER BY PROCESS_DTS').all();
    expect(rows).toEqual([
      { TASK: 'UpCast', STATUS: 'P', FILENAME: 'AB00000001.xml' },
      { TASK: 'UpCast', STATUS: 'P', FILENAME: 'AB00000001.xml' },
      { TASK: 'Pack', STATUS: 'P', FILENAME: 'AB00000001.xml' },
      { TASK: 'SendFile', STATUS: 'G', FILENAME: 'AB00000001.xml' },
    ]);
  });

  it('moves many messages at once with one event each, or none when one of them is not in the expected state', () => {
    const ids = [0, 1, 2].map((i) => {
      const { messageId } = transitions.receive(newMessage(i));
      transitions.move(messageId, 'received', 'queued');
      return messageId;
    });
    const states = () => ids.map((id) => store.db.prepare('SELECT state FROM messages WHERE id = ?').pluck().get(id));
    const events = () => store.db.prepare("SELECT count(*) FROM message_events WHERE to_state = 'packed'").pluck().get();

    transitions.move(ids[2]!, 'queued', 'failed');
    const all = store.db.transaction(() => transitions.moveMany(ids, 'queued', 'packed'));
    expect(() => all()).toThrow(StoreError);
    expect(states()).toEqual(['queued', 'queued', 'failed']);
    expect(events()).toBe(0);

    const change = store.db.transaction(() => transitions.moveMany(ids.slice(0, 2), 'queued', 'packed', { detail: 'pack p1' }))();
    expect(change).toMatchObject({ messageIds: ids.slice(0, 2), from: 'queued', to: 'packed', at: now });
    expect(states()).toEqual(['packed', 'packed', 'failed']);
    expect(events()).toBe(2);
    expect(() => transitions.moveMany(ids, 'packed', 'received')).toThrow(/not an allowed state change/);
  });

  it('keeps the counts per type and state equal to the messages, through every move, a failed one included', () => {
    const queries = new MessageQueries(store.db);
    const ids = [0, 1, 2, 3, 4, 5].map((n) => transitions.receive(newMessage(n, { messageType: n % 2 ? 'F0401' : 'G0401' })).messageId);
    transitions.moveMany(ids, 'received', 'queued');
    transitions.moveMany(ids.slice(0, 4), 'queued', 'packed');
    transitions.moveMany(ids.slice(0, 2), 'packed', 'uploaded');
    transitions.move(ids[0]!, 'uploaded', 'confirmed');
    expect(() => transitions.moveMany([ids[1]!, ids[5]!], 'uploaded', 'confirmed')).toThrow(StoreError); // rolled back whole
    const grouped = store.db.prepare('SELECT message_type AS type, state, count(*) AS n FROM messages GROUP BY 1, 2').all() as Array<{
      type: string;
      state: MessageState;
      n: number;
    }>;
    const expected: Record<string, Partial<Record<MessageState, number>>> = {};
    for (const g of grouped) (expected[g.type] ??= {})[g.state] = g.n;
    expect(queries.countByTypeAndState().byType).toEqual(expected);
    expect(queries.countByTypeAndState().total).toBe(6);
  });
});
