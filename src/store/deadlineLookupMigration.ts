import type { Migration } from './Migration.js';

/**
 * Migration 11: the messages the platform does not have yet, by their legal deadline. `turnkey
 * status` and the deadline checks count them by type; through the state index they read the row of
 * every waiting message, scattered over a year's store (a failed message of March beside today's):
 * 40 ms of a status's 270 on a million messages. The index holds only the waiting few thousand and
 * answers from its own pages. Its condition is Deadlines' own (`NOT_YET_UPLOADED`), word for word:
 * SQLite uses a partial index only for a query that repeats it.
 */
export const DEADLINE_LOOKUP_MIGRATION: Migration = {
  version: 11,
  name: 'messages not yet uploaded, by deadline',
  sql: `
    CREATE INDEX messages_not_uploaded ON messages (upload_deadline, message_type)
      WHERE state IN ('received', 'queued', 'packed', 'failed');
  `,
};
