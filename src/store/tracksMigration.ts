import type { Migration } from './Migration.js';

/**
 * Migration 9: invoice-number tracks.
 * - `track_allocations`: the numbers each BAN may issue per period, invoice type and track, from
 *   the platform's E0501, an allocation list, or a head office's E0401 (then `head_ban` names the
 *   head office whose numbers they are). One range per row; the same range twice is one row.
 * - `blank_reports`: each E0402 generated (its XML kept, so that a crash between recording and
 *   dropping it writes the same bytes again), per period, head office, branch, type, track and part;
 *   `generation` grows only when an operator forces a second report.
 */
export const TRACKS_MIGRATION: Migration = {
  version: 9,
  name: 'track allocations and blank-number reports',
  sql: `
    CREATE TABLE track_allocations (
      id           INTEGER PRIMARY KEY,
      ban          TEXT NOT NULL,
      head_ban     TEXT,
      period       TEXT NOT NULL,
      invoice_type TEXT NOT NULL,
      track        TEXT NOT NULL,
      begin_no     INTEGER NOT NULL,
      end_no       INTEGER NOT NULL CHECK (end_no >= begin_no),
      booklets     INTEGER NOT NULL,
      source       TEXT NOT NULL CHECK (source IN ('E0501', 'file', 'E0401')),
      -- The file it came from, or the E0401's INVOICE_IDENTIFIER.
      source_ref   TEXT NOT NULL,
      message_id   INTEGER REFERENCES messages (id),
      recorded_at  INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX track_allocations_range ON track_allocations (period, track, begin_no, end_no, ban);
    CREATE INDEX track_allocations_ban ON track_allocations (ban, period);
    CREATE INDEX track_allocations_track ON track_allocations (period, track, begin_no);
    CREATE INDEX track_allocations_head ON track_allocations (head_ban, period) WHERE head_ban IS NOT NULL;
    CREATE INDEX track_allocations_message ON track_allocations (message_id) WHERE message_id IS NOT NULL;

    CREATE TABLE blank_reports (
      id           INTEGER PRIMARY KEY,
      period       TEXT NOT NULL,
      head_ban     TEXT NOT NULL,
      branch_ban   TEXT NOT NULL,
      invoice_type TEXT NOT NULL,
      track        TEXT NOT NULL,
      part         INTEGER NOT NULL,
      generation   INTEGER NOT NULL,
      ranges       INTEGER NOT NULL,
      numbers      INTEGER NOT NULL,
      file_name    TEXT NOT NULL,
      -- The E0402's INVOICE_IDENTIFIER: whether the platform has it is that message's state.
      message_key  TEXT NOT NULL,
      xml          TEXT NOT NULL,
      state        TEXT NOT NULL CHECK (state IN ('planned', 'dropped')),
      trigger      TEXT NOT NULL CHECK (trigger IN ('auto', 'cli')),
      created_at   INTEGER NOT NULL,
      dropped_at   INTEGER,
      UNIQUE (period, head_ban, branch_ban, invoice_type, track, generation, part)
    );
    CREATE INDEX blank_reports_planned ON blank_reports (id) WHERE state = 'planned';
  `,
};
