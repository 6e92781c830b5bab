import type { Database } from 'better-sqlite3';
import { BYTES_BY_MESSAGE_MIGRATION } from './bytesByMessageMigration.js';
import { DEADLINE_LOOKUP_MIGRATION } from './deadlineLookupMigration.js';
import { DOWNCAST_MIGRATION } from './downCastMigration.js';
import { MAINTENANCE_MIGRATION } from './maintenanceMigration.js';
import { OPERATIONS_MIGRATION } from './operationsMigration.js';
import { statusLetter, turnkeyDts } from './turnkeyViewSql.js';
import { OUTBOUND_MIGRATION } from './outboundMigration.js';
import { PROBLEMS_MIGRATION } from './problemsMigration.js';
import { VERSIONS_MIGRATION } from './versionsMigration.js';
import { StoreError } from './StoreError.js';
import { TRACK_LOOKUP_MIGRATION } from './trackLookupMigration.js';
import { TRACKS_MIGRATION } from './tracksMigration.js';
import type { Migration } from './Migration.js';

/**
 * Versioned schema migrations, applied in order at start-up; `PRAGMA user_version` records the last
 * one applied. A migration is never edited once released: later issues append new ones (packs,
 * attempts, new columns) and may re-create the views.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'messages, events, intake journal, kept bytes, daemon lifecycle, Turnkey views',
    sql: `
      CREATE TABLE messages (
        id               INTEGER PRIMARY KEY,
        uuid             TEXT NOT NULL UNIQUE,
        message_type     TEXT NOT NULL,
        category         TEXT NOT NULL,
        -- Turnkey's INVOICE_IDENTIFIER (<MIG><number><date>); NULL when the file could not be read as a message.
        message_key      TEXT,
        -- 1 for the one message that owns its key (valid, accepted); invalid attempts keep the key for history only.
        holds_key        INTEGER NOT NULL DEFAULT 0 CHECK (holds_key IN (0, 1)),
        invoice_number   TEXT,
        invoice_date     TEXT,
        action_date      TEXT,
        seller_id        TEXT,
        seller_name      TEXT,
        buyer_id         TEXT,
        buyer_name       TEXT,
        total_amount     TEXT,
        tax_amount       TEXT,
        sha256           TEXT NOT NULL,
        size             INTEGER NOT NULL,
        source_name      TEXT NOT NULL,
        state            TEXT NOT NULL CHECK (state IN
                           ('received','invalid','queued','packed','uploaded','unknown','confirmed','rejected','failed')),
        error_code       TEXT,
        error_text       TEXT,
        findings_json    TEXT,
        received_at      INTEGER NOT NULL,
        state_changed_at INTEGER NOT NULL,
        final_at         INTEGER,
        -- 1 while the validated bytes are kept in message_bytes (0 for invalid files, and after retention).
        bytes_kept       INTEGER NOT NULL DEFAULT 0 CHECK (bytes_kept IN (0, 1))
      );
      CREATE UNIQUE INDEX messages_key_holder ON messages (message_key) WHERE holds_key = 1;
      CREATE INDEX messages_number ON messages (invoice_number);
      CREATE INDEX messages_type_state ON messages (message_type, state);
      CREATE INDEX messages_state ON messages (state);
      CREATE INDEX messages_sha256 ON messages (sha256);
      CREATE INDEX messages_prunable ON messages (final_at) WHERE bytes_kept = 1 AND final_at IS NOT NULL;

      CREATE TABLE message_events (
        id          INTEGER PRIMARY KEY,
        message_id  INTEGER NOT NULL REFERENCES messages (id),
        at          INTEGER NOT NULL,
        -- 'state' for a state change; otherwise what happened without one (duplicate, duplicate-conflict, ...).
        kind        TEXT NOT NULL,
        from_state  TEXT,
        to_state    TEXT,
        code        TEXT,
        detail      TEXT
      );
      CREATE INDEX message_events_message ON message_events (message_id, id);

      -- One row per file claimed from a SRC folder: the intake's journal (what was decided, where
      -- the file goes, whether it got there). filed_at NULL = the move is still to be done.
      CREATE TABLE intake_files (
        id             INTEGER PRIMARY KEY,
        claim_name     TEXT NOT NULL UNIQUE,
        folder_type    TEXT NOT NULL,
        original_name  TEXT NOT NULL,
        sha256         TEXT NOT NULL,
        size           INTEGER NOT NULL,
        outcome        TEXT NOT NULL CHECK (outcome IN ('new', 'duplicate', 'invalid')),
        disposition    TEXT NOT NULL CHECK (disposition IN ('BAK', 'ERR')),
        target_path    TEXT NOT NULL,
        message_id     INTEGER NOT NULL REFERENCES messages (id),
        recorded_at    INTEGER NOT NULL,
        filed_at       INTEGER
      );
      CREATE INDEX intake_files_unfiled ON intake_files (id) WHERE filed_at IS NULL;
      CREATE INDEX intake_files_message ON intake_files (message_id);

      -- The exact bytes that were validated, addressed by their SHA-256.
      CREATE TABLE message_bytes (
        sha256     TEXT PRIMARY KEY,
        size       INTEGER NOT NULL,
        bytes      BLOB NOT NULL,
        stored_at  INTEGER NOT NULL
      );

      CREATE TABLE daemon_lifecycle (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        state         TEXT NOT NULL CHECK (state IN ('starting', 'running', 'draining', 'stopped')),
        pid           INTEGER NOT NULL,
        hostname      TEXT NOT NULL,
        version       TEXT NOT NULL,
        started_at    INTEGER NOT NULL,
        heartbeat_at  INTEGER NOT NULL,
        stopped_at    INTEGER
      );

      CREATE VIEW TURNKEY_MESSAGE_LOG AS
      SELECT printf('%08d', m.id)           AS SEQNO,
             '00000'                        AS SUBSEQNO,
             m.uuid                         AS UUID,
             m.message_type                 AS MESSAGE_TYPE,
             CASE m.category WHEN 'B2SSTORAGE' THEN 'B2S' WHEN 'B2PMESSAGE' THEN 'B2P' ELSE m.category END AS CATEGORY_TYPE,
             CASE m.category WHEN 'B2SSTORAGE' THEN 'STORAGE' WHEN 'B2PMESSAGE' THEN 'MESSAGE' END AS PROCESS_TYPE,
             m.seller_id                    AS FROM_PARTY_ID,
             m.buyer_id                     AS TO_PARTY_ID,
             ${turnkeyDts('m.received_at')} AS MESSAGE_DTS,
             CAST(m.size AS TEXT)           AS CHARACTER_COUNT,
             ${statusLetter('m.state')}     AS STATUS,
             'O'                            AS IN_OUT_BOUND,
             NULL                           AS FROM_ROUTING_ID,
             NULL                           AS TO_ROUTING_ID,
             m.message_key                  AS INVOICE_IDENTIFIER
        FROM messages m;

      CREATE VIEW TURNKEY_MESSAGE_LOG_DETAIL AS
      SELECT printf('%08d', e.message_id)   AS SEQNO,
             '00000'                        AS SUBSEQNO,
             ${turnkeyDts('e.at')}          AS PROCESS_DTS,
             CASE e.to_state
               WHEN 'received' THEN 'UpCast' WHEN 'queued' THEN 'UpCast' WHEN 'invalid' THEN 'UpCast'
               WHEN 'packed' THEN 'Pack' WHEN 'uploaded' THEN 'SendFile' WHEN 'unknown' THEN 'SendFile'
               WHEN 'failed' THEN 'SendFile' WHEN 'confirmed' THEN 'ReceiveFile' WHEN 'rejected' THEN 'ReceiveFile'
             END                            AS TASK,
             ${statusLetter('e.to_state')}  AS STATUS,
             m.source_name                  AS FILENAME,
             m.uuid                         AS UUID
        FROM message_events e
        JOIN messages m ON m.id = e.message_id
       WHERE e.kind = 'state';
    `,
  },
  OUTBOUND_MIGRATION,
  DOWNCAST_MIGRATION,
  BYTES_BY_MESSAGE_MIGRATION,
  PROBLEMS_MIGRATION,
  VERSIONS_MIGRATION,
  MAINTENANCE_MIGRATION,
  OPERATIONS_MIGRATION,
  TRACKS_MIGRATION,
  TRACK_LOOKUP_MIGRATION,
  DEADLINE_LOOKUP_MIGRATION,
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Brings the schema up to date, one transaction per migration. Returns the versions applied. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  if (current > latest) {
    throw new StoreError('store-too-new', `the database ${db.name} has schema version ${current}; this turnkey knows up to ${latest}`, {
      hint: 'Run the turnkey version that wrote it (or newer); a database is never migrated downwards.',
    });
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    // Re-read inside the write lock: another process may have applied it meanwhile.
    const done = db
      .transaction(() => {
        if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) return false;
        db.exec(migration.sql);
        db.pragma(`user_version = ${migration.version}`);
        return true;
      })
      .immediate();
    if (done) applied.push(migration.version);
  }
  return applied;
}
