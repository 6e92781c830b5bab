import type { Migration } from './Migration.js';

/**
 * Migration 7: maintenance windows, the sending state, legal deadlines, budgets that count only
 * what the platform answered, and the wall-clock jobs' runs.
 * - `maintenance_windows`: one table for every source (configuration, CLI, feeds, the platform's own
 *   answers), each window with its origin, so that a source's next reading replaces its windows.
 * - `sending_state`: one row, owned by the sending gate: sending, paused by a window, or resuming
 *   (at `resume_at`, a little after the window). `sending_events`: each pause and resume, with why.
 * - `messages.upload_deadline`: when the law wants the message at the platform (null: no deadline).
 * - `packs.counted_failures`, `packs.first_counted_failure_at`: the retry budget, counting failed
 *   attempts the platform answered; an outage or a window never spends it. `packs.signer_fingerprint`.
 * - `job_runs`: the last run of each scheduled job.
 */
export const MAINTENANCE_MIGRATION: Migration = {
  version: 7,
  name: 'maintenance windows, sending state, deadlines, answered-failure budgets, job runs',
  sql: `
    CREATE TABLE maintenance_windows (
      id          INTEGER PRIMARY KEY,
      origin      TEXT NOT NULL CHECK (origin IN ('config', 'cli', 'feed', 'platform')),
      -- The configuration file, 'cli', the feed's URL or file, or 'gateway' / 'sftp' for the platform.
      source      TEXT NOT NULL,
      -- The window's identity within its source (its times), so that a source's next reading syncs.
      source_key  TEXT NOT NULL,
      starts_at   INTEGER NOT NULL,
      -- NULL: the platform says it is in maintenance without saying until when (until it answers again).
      ends_at     INTEGER,
      reason      TEXT NOT NULL,
      added_at    INTEGER NOT NULL,
      UNIQUE (origin, source, source_key)
    );
    CREATE INDEX maintenance_windows_end ON maintenance_windows (ends_at);

    CREATE TABLE sending_state (
      id         INTEGER PRIMARY KEY CHECK (id = 1),
      state      TEXT NOT NULL CHECK (state IN ('sending', 'paused', 'resuming')),
      window_id  INTEGER,
      reason     TEXT,
      since      INTEGER NOT NULL,
      -- While resuming: when sending starts again.
      resume_at  INTEGER
    );
    INSERT INTO sending_state (id, state, since) VALUES (1, 'sending', 0);

    CREATE TABLE sending_events (
      id         INTEGER PRIMARY KEY,
      at         INTEGER NOT NULL,
      kind       TEXT NOT NULL,
      window_id  INTEGER,
      reason     TEXT,
      detail     TEXT
    );

    ALTER TABLE messages ADD COLUMN upload_deadline INTEGER;
    ALTER TABLE packs ADD COLUMN counted_failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE packs ADD COLUMN first_counted_failure_at INTEGER;
    -- The fingerprint of the certificate that signed the pack: a refusal of the signature (E0004) holds
    -- the sender only while it still signs with that certificate.
    ALTER TABLE packs ADD COLUMN signer_fingerprint TEXT;

    CREATE TABLE job_runs (
      name         TEXT PRIMARY KEY,
      started_at   INTEGER NOT NULL,
      ended_at     INTEGER,
      outcome      TEXT CHECK (outcome IN ('ok', 'failed')),
      detail       TEXT,
      runs         INTEGER NOT NULL DEFAULT 0
    );
  `,
};
