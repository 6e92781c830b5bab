import type { Migration } from './Migration.js';

/**
 * Migration 5: conditions an operator must see, kept while they last (an ERR folder that cannot be
 * written, files in SRC that cannot be taken, a group of messages that cannot be packed). Each is
 * raised once, refreshed while it lasts, and resolved when the daemon finds it gone.
 */
export const PROBLEMS_MIGRATION: Migration = {
  version: 5,
  name: 'open problems',
  sql: `
    CREATE TABLE problems (
      id           INTEGER PRIMARY KEY,
      -- Which part of the daemon found it: intake, sending, results.
      area         TEXT NOT NULL,
      -- What it is about: a folder (data-root relative), a message group, a file.
      subject      TEXT NOT NULL,
      code         TEXT NOT NULL,
      detail       TEXT NOT NULL,
      first_at     INTEGER NOT NULL,
      last_at      INTEGER NOT NULL,
      -- How many times it was met (refreshed at most once a minute).
      count        INTEGER NOT NULL,
      resolved_at  INTEGER
    );
    CREATE UNIQUE INDEX problems_open ON problems (area, subject, code) WHERE resolved_at IS NULL;
  `,
};
