import type { Migration } from './Migration.js';

/**
 * Migration 3: DownCast result files hold a batch of final messages each (one fsync per file, not
 * per message). A file is a row first, with its messages assigned to it, and written afterwards:
 * after a crash the same file is written again with the same content.
 */
export const DOWNCAST_MIGRATION: Migration = {
  version: 3,
  name: 'DownCast result files by batch',
  sql: `
    CREATE TABLE downcast_files (
      id           INTEGER PRIMARY KEY,
      -- Relative to the data root, e.g. DownCast/B2SSTORAGE/F0401/20261123/20261123041532028-1001.json
      path         TEXT NOT NULL UNIQUE,
      category     TEXT NOT NULL,
      message_type TEXT NOT NULL,
      created_at   INTEGER NOT NULL,
      written_at   INTEGER
    );
    CREATE INDEX downcast_files_unwritten ON downcast_files (id) WHERE written_at IS NULL;

    ALTER TABLE messages ADD COLUMN downcast_file INTEGER REFERENCES downcast_files (id);
    CREATE INDEX messages_downcast_file ON messages (downcast_file) WHERE downcast_file IS NOT NULL;
    DROP INDEX messages_downcast_pending;
    CREATE INDEX messages_downcast_pending ON messages (id)
      WHERE downcast_at IS NULL AND downcast_file IS NULL AND state IN ('confirmed', 'rejected');
  `,
};
