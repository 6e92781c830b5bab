import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageQueries } from '../../src/store/MessageQueries.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { Store } from '../../src/store/Store.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

describe('MessageQueries', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  it("looks an invoice number up through the number's index, never every invoice of the type (intake asks it for every F0401)", () => {
    const transitions = new MessageTransitions(store.db);
    for (let i = 0; i < 50; i++) transitions.receive(newMessage(i));
    const plan = store.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT * FROM messages WHERE invoice_number = ? AND +message_type = ? AND holds_key = 1 AND message_key <> ? ` +
          `AND +state NOT IN ('rejected', 'invalid')`,
      )
      .all('AB00000001', 'F0401', 'x') as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX messages_number/);
    // And the statement the store really prepares agrees with that one (the text above is its copy).
    const queries = new MessageQueries(store.db);
    expect(queries.sameNumberOtherKey('F0401', 'AB00000001', 'other')).toEqual([expect.objectContaining({ id: 2, uploaded: 0 })]);
  });
});
