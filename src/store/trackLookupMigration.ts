import type { Migration } from './Migration.js';

/**
 * Migration 10: indexes that let intake's track rules read only the allocations around one number.
 * Before, each F0401 read every allotment its seller gave branches and each E0401 every allocation
 * of its period: with thousands of allotments a period, intake slowed to a crawl (found by the
 * fault soak, whose mix has an E0401 per ten invoices). Standing allotments never share a number
 * (the rules refuse it), so the one holding a number is the last that starts at or before it.
 */
export const TRACK_LOOKUP_MIGRATION: Migration = {
  version: 10,
  name: 'track allocation lookups by number',
  sql: `
    CREATE INDEX track_allocations_allotted ON track_allocations (period, track, begin_no) WHERE head_ban IS NOT NULL;
    CREATE INDEX track_allocations_own ON track_allocations (period, track, begin_no) WHERE head_ban IS NULL;
    CREATE INDEX track_allocations_head_track ON track_allocations (head_ban, period, track, begin_no) WHERE head_ban IS NOT NULL;
  `,
};
