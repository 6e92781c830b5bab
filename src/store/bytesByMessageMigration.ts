import type { Migration } from './Migration.js';

/**
 * Migration 4: kept bytes are stored per message (keyed by the message id) instead of by their
 * SHA-256, and the index on `messages.sha256` goes. Keys that grow with time make each insert an
 * append: random keys (a hash, a v4 UUID) put every new row on some other page of the index, so a
 * batch of 100 invoices rewrote some 2 MB of pages, and the write-ahead log grew by 25 KB per
 * invoice. Identical content in two kept messages is now stored twice; only a rejected invoice
 * sent again under a new key can have it, so this costs next to nothing.
 */
export const BYTES_BY_MESSAGE_MIGRATION: Migration = {
  version: 4,
  name: 'kept bytes by message; time-ordered keys',
  sql: `
    CREATE TABLE message_bytes_by_message (
      message_id INTEGER PRIMARY KEY REFERENCES messages (id),
      sha256     TEXT NOT NULL,
      size       INTEGER NOT NULL,
      bytes      BLOB NOT NULL,
      stored_at  INTEGER NOT NULL
    );
    INSERT INTO message_bytes_by_message (message_id, sha256, size, bytes, stored_at)
      SELECT m.id, b.sha256, b.size, b.bytes, b.stored_at
        FROM messages m JOIN message_bytes b ON b.sha256 = m.sha256
       WHERE m.bytes_kept = 1;
    DROP TABLE message_bytes;
    ALTER TABLE message_bytes_by_message RENAME TO message_bytes;
    DROP INDEX messages_sha256;
  `,
};
