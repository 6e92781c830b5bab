/**
 * The simulator's own record (`sim.sqlite`). It is the ground truth of exactly-once tests: every
 * received file, every notification and its answer, every pack, and every message's decision.
 * No password or other secret is ever stored.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS received_files (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY,
  account TEXT,
  filename TEXT,
  retry INTEGER,
  http_status INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  code TEXT NOT NULL,
  fault TEXT,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS packs (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  filename TEXT NOT NULL,
  message_type TEXT NOT NULL,
  service_type TEXT NOT NULL,
  action TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  size INTEGER NOT NULL,
  zip INTEGER NOT NULL CHECK (zip IN (0, 1)),
  sha256 TEXT NOT NULL,
  stored_path TEXT NOT NULL,
  trans_from TEXT NOT NULL,
  trans_to TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'processed')),
  pack_code TEXT,
  pack_reason TEXT,
  good INTEGER,
  failed INTEGER,
  accepted_at TEXT NOT NULL,
  processed_at TEXT,
  results_state TEXT NOT NULL DEFAULT 'pending' CHECK (results_state IN ('pending', 'written', 'suppressed')),
  results_written_at TEXT,
  UNIQUE (account, filename)
);
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  pack_id INTEGER NOT NULL REFERENCES packs(id),
  seq INTEGER NOT NULL,
  message_type TEXT,
  number TEXT,
  date TEXT,
  invoice_identifier TEXT,
  seller_id TEXT,
  content_sha256 TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected', 'duplicate')),
  code TEXT NOT NULL,
  reason TEXT,
  finding_code TEXT,
  UNIQUE (pack_id, seq)
);
CREATE INDEX IF NOT EXISTS messages_by_number ON messages (number);
-- One accepted message per type and number: the platform's duplicate rule, enforced by the database too.
CREATE UNIQUE INDEX IF NOT EXISTS messages_accepted_key ON messages (message_type, number) WHERE decision = 'accepted';
CREATE TABLE IF NOT EXISTS e0501_deliveries (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  party_id TEXT NOT NULL,
  period TEXT NOT NULL,
  filename TEXT NOT NULL,
  trigger TEXT NOT NULL CHECK (trigger IN ('request', 'schedule')),
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS faults_fired (
  id INTEGER PRIMARY KEY,
  fault TEXT NOT NULL,
  detail TEXT,
  at TEXT NOT NULL
);
`;
