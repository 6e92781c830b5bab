import type { Migration } from './Migration.js';

/**
 * Migration 6: versions of a message, and what allowances take off invoices.
 * - `supersedes`: a corrected message sent again under the key of a rejected, failed or invalid one
 *   names it (the old one gives up the key: `holds_key` 0), so the history shows both versions.
 * - `allowance_refs`: per allowance (G0401), the invoices it is about and how much it takes off
 *   each (its items' Amount + Tax), so that a later allowance is checked against what remains.
 */
export const VERSIONS_MIGRATION: Migration = {
  version: 6,
  name: 'message versions, allowance references',
  sql: `
    ALTER TABLE messages ADD COLUMN supersedes INTEGER REFERENCES messages (id);

    CREATE TABLE allowance_refs (
      message_id      INTEGER NOT NULL REFERENCES messages (id),
      invoice_number  TEXT NOT NULL,
      invoice_date    TEXT NOT NULL,
      -- Decimal text: the allowance's items' Amount + Tax for this invoice.
      amount          TEXT NOT NULL,
      PRIMARY KEY (message_id, invoice_number, invoice_date)
    );
    CREATE INDEX allowance_refs_invoice ON allowance_refs (invoice_number, invoice_date);
  `,
};
