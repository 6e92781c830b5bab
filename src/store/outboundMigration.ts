import type { Migration } from './Migration.js';

/**
 * Migration 2: what the outbound side needs. A pack is the transaction (phoss-ap's term) and each
 * try at it an attempt; the retry schedule (`next_attempt_at`) and the circuit breaker are rows, not
 * timers, so a restart continues exactly where the last process stopped.
 */
export const OUTBOUND_MIGRATION: Migration = {
  version: 2,
  name: 'packs, pack messages, attempts, received files, circuit breaker',
  sql: `
    CREATE TABLE packs (
      id                INTEGER PRIMARY KEY,
      -- The remote file name and the id results refer to; never regenerated.
      common_name       TEXT NOT NULL UNIQUE,
      signed_file_name  TEXT NOT NULL,
      message_type      TEXT NOT NULL,
      from_party_id     TEXT NOT NULL,
      to_party_id       TEXT NOT NULL,
      message_count     INTEGER NOT NULL,
      -- Length of the armored file (the notification's size), and whether the upload is its zip.
      size              INTEGER NOT NULL,
      zipped            INTEGER NOT NULL CHECK (zipped IN (0, 1)),
      payload_path      TEXT NOT NULL,
      payload_sha256    TEXT NOT NULL,
      state             TEXT NOT NULL CHECK (state IN
                          ('packed', 'file-uploaded', 'notified', 'unknown', 'settled', 'refused', 'failed')),
      -- Notifications sent so far; the next one carries retry = notify_count.
      notify_count      INTEGER NOT NULL DEFAULT 0,
      attempts          INTEGER NOT NULL DEFAULT 0,
      next_attempt_at   INTEGER NOT NULL,
      created_at        INTEGER NOT NULL,
      first_attempt_at  INTEGER,
      uploaded_at       INTEGER,
      notified_at       INTEGER,
      ended_at          INTEGER,
      last_error_code   TEXT,
      last_error_text   TEXT
    );
    CREATE INDEX packs_due ON packs (next_attempt_at) WHERE state IN ('packed', 'file-uploaded', 'unknown');
    CREATE INDEX packs_state ON packs (state);

    CREATE TABLE pack_messages (
      pack_id     INTEGER NOT NULL REFERENCES packs (id),
      message_id  INTEGER NOT NULL REFERENCES messages (id),
      position    INTEGER NOT NULL,
      PRIMARY KEY (pack_id, message_id)
    );
    CREATE INDEX pack_messages_message ON pack_messages (message_id);

    CREATE TABLE attempts (
      id           INTEGER PRIMARY KEY,
      pack_id      INTEGER NOT NULL REFERENCES packs (id),
      stage        TEXT NOT NULL CHECK (stage IN ('upload', 'notify')),
      started_at   INTEGER NOT NULL,
      ended_at     INTEGER,
      -- NULL while under way (or when the process died during it).
      outcome      TEXT CHECK (outcome IN ('ok', 'failed', 'unknown', 'refused')),
      error_code   TEXT,
      http_status  INTEGER,
      status_code  INTEGER,
      detail       TEXT
    );
    CREATE INDEX attempts_pack ON attempts (pack_id, id);

    -- Every file taken from the platform's out/ folder, published locally before the remote copy is deleted.
    CREATE TABLE received_files (
      id           INTEGER PRIMARY KEY,
      remote_name  TEXT NOT NULL UNIQUE,
      kind         TEXT NOT NULL,
      size         INTEGER NOT NULL,
      sha256       TEXT NOT NULL,
      local_path   TEXT NOT NULL,
      received_at  INTEGER NOT NULL,
      applied_at   INTEGER,
      pack_id      INTEGER REFERENCES packs (id),
      -- Why it could not be applied (unknown pack, invalid, conflict), for the operator.
      problem      TEXT
    );

    CREATE TABLE circuit_breaker (
      id                    INTEGER PRIMARY KEY CHECK (id = 1),
      state                 TEXT NOT NULL CHECK (state IN ('closed', 'open', 'half-open')),
      consecutive_failures  INTEGER NOT NULL,
      opened_at             INTEGER,
      retry_at              INTEGER,
      last_error_code       TEXT
    );
    INSERT INTO circuit_breaker (id, state, consecutive_failures) VALUES (1, 'closed', 0);

    -- When the ERP's DownCast result file of a final message was written (NULL: still to write).
    ALTER TABLE messages ADD COLUMN downcast_at INTEGER;
    CREATE INDEX messages_downcast_pending ON messages (id) WHERE downcast_at IS NULL AND state IN ('confirmed', 'rejected');
  `,
};
