import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/store/Deadlines.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { Store } from '../../src/store/Store.js';
import type { MessageState } from '../../src/store/states.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 9, 5, 4);

/** Which messages the platform does not have yet though their legal deadline is near or past. */
describe('Deadlines', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    const messages = new MessageTransitions(store.db, () => NOW);
    const add = (n: number, messageType: string, deadlineIn: number | null, path: Array<'queued' | 'packed' | 'uploaded' | 'failed'>) => {
      const { messageId } = messages.receive(newMessage(n, { messageType, uploadDeadline: deadlineIn === null ? null : NOW + deadlineIn }));
      let from: MessageState = 'received';
      for (const to of path) {
        messages.move(messageId, from, to);
        from = to;
      }
    };
    add(1, 'F0401', -2 * HOUR, ['queued']); // overdue
    add(2, 'F0401', 3 * HOUR, ['queued', 'packed']);
    add(3, 'G0401', 5 * HOUR, ['queued', 'packed', 'failed']);
    add(4, 'F0401', 1 * HOUR, ['queued', 'packed', 'uploaded']); // the platform has it
    add(5, 'F0401', 30 * HOUR, ['queued']); // not due within the margin
    add(6, 'F0401', null, []); // received, no deadline
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  const read = (db = store.db) => {
    const deadlines = new Deadlines(db);
    return { risk: deadlines.atRisk(NOW, 12 * HOUR), due: deadlines.dueWithin(NOW, NOW + 4 * HOUR) };
  };

  it('counts the waiting messages due within the margin by type, the overdue among them, and names the first', () => {
    const { risk, due } = read();
    expect(risk).toEqual({
      atRisk: 3,
      overdue: 1,
      byType: { F0401: 2, G0401: 1 },
      first: { messageId: 1, messageType: 'F0401', invoiceNumber: 'AB00000001', deadline: NOW - 2 * HOUR },
    });
    expect(due).toEqual({ count: 1, first: NOW + 3 * HOUR });
  });

  it('answers alike from a store not yet migrated to the index of waiting messages (status beside an older daemon)', () => {
    const latest = read();
    store.db.exec('DROP INDEX messages_not_uploaded');
    store.db.pragma('user_version = 10');
    const older = Store.openReadOnly(join(dir.path, 't.db'));
    try {
      expect(read(older.db)).toEqual(latest);
    } finally {
      older.close();
    }
  });
});
