import Database from '../../sqlite/Database.js';
import type { TransParty } from '../../protocol/pfs001Body.js';
import { SimError } from '../SimError.js';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { queryStats, type SimStats } from './statsQueries.js';

export type PackState = 'queued' | 'processed';
export type ResultsState = 'pending' | 'written' | 'suppressed';
export type MessageDecision = 'accepted' | 'rejected' | 'duplicate';

export interface NewPack {
  account: string;
  filename: string;
  messageType: string;
  serviceType: string;
  action: string;
  quantity: number;
  /** The armored length, as notified (and checked). */
  size: number;
  zip: boolean;
  sha256: string;
  storedPath: string;
  transFrom: TransParty;
  transTo: TransParty;
}

export interface PackRecord extends NewPack {
  id: number;
  state: PackState;
  packCode: string | null;
  packReason: string | null;
  acceptedAt: string;
  resultsState: ResultsState;
}

/** What the platform knows of one message of a pack. Only facts, never the message text itself. */
export interface MessageFacts {
  /** Position in the pack, 1-based. */
  seq: number;
  messageType: string | null;
  number: string | null;
  date: string | null;
  invoiceIdentifier: string | null;
  sellerId: string | null;
  /** SHA-256 (hex) of the message text as it sits in the envelope. */
  contentSha256: string;
}

export interface MessageDecisionRecord extends MessageFacts {
  decision: MessageDecision;
  /** `0000`, or the platform-style error code. */
  code: string;
  reason: string | null;
  /** The validator's finding code or the rule that refused it, when rejected for content. */
  findingCode: string | null;
}

export interface PackOutcomeRecord {
  /** Set when the whole pack failed (e.g. `E0004`); then `decisions` is empty. */
  packCode: string | null;
  packReason: string | null;
  decisions: MessageDecisionRecord[];
}

interface PackRow {
  id: number;
  account: string;
  filename: string;
  message_type: string;
  service_type: string;
  action: string;
  quantity: number;
  size: number;
  zip: number;
  sha256: string;
  stored_path: string;
  trans_from: string;
  trans_to: string;
  state: PackState;
  pack_code: string | null;
  pack_reason: string | null;
  accepted_at: string;
  results_state: ResultsState;
}

/** The simulator's SQLite file: written by the running simulator, read by `turnkey sim stats`. */
export class SimDatabase {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<SimDatabase['prepare']>;

  constructor(readonly file: string) {
    try {
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    } catch (cause) {
      throw new SimError('sim-database', `cannot open the simulator's database ${file}: ${(cause as Error).message}`, { cause });
    }
    this.statements = this.prepare();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`the database has schema version ${version}; this simulator knows up to ${SCHEMA_VERSION}`);
    }
    this.db.exec(SCHEMA_SQL);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }

  private prepare() {
    const db = this.db;
    return {
      insertReceivedFile: db.prepare(`INSERT INTO received_files (account, name, size, sha256, received_at) VALUES (?, ?, ?, ?, ?)`),
      lastReceivedFile: db.prepare(`SELECT size, sha256 FROM received_files WHERE account = ? AND name = ? ORDER BY id DESC LIMIT 1`),
      insertNotification: db.prepare(
        `INSERT INTO notifications (account, filename, retry, http_status, status_code, code, fault, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      findPack: db.prepare(`SELECT * FROM packs WHERE account = ? AND filename = ?`),
      packById: db.prepare(`SELECT * FROM packs WHERE id = ?`),
      insertPack: db.prepare(
        `INSERT INTO packs (account, filename, message_type, service_type, action, quantity, size, zip, sha256, stored_path,
                            trans_from, trans_to, state, accepted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
      ),
      acceptedDigest: db.prepare(
        `SELECT content_sha256 AS digest FROM messages WHERE message_type = ? AND number = ? AND decision = 'accepted'`,
      ),
      insertMessage: db.prepare(
        `INSERT INTO messages (pack_id, seq, message_type, number, date, invoice_identifier, seller_id, content_sha256, decision, code,
           reason, finding_code)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      markProcessed: db.prepare(
        `UPDATE packs SET state = 'processed', pack_code = ?, pack_reason = ?, good = ?, failed = ?, processed_at = ? WHERE id = ? AND ` +
          `state = 'queued'`,
      ),
      markResults: db.prepare(`UPDATE packs SET results_state = ?, results_written_at = ? WHERE id = ?`),
      queuedPacks: db.prepare(`SELECT * FROM packs WHERE state = 'queued' ORDER BY id`),
      pendingResults: db.prepare(`SELECT * FROM packs WHERE state = 'processed' AND results_state = 'pending' ORDER BY id`),
      decisionsOf: db.prepare(
        `SELECT seq, message_type AS messageType, number, date, invoice_identifier AS invoiceIdentifier, seller_id AS sellerId,
                content_sha256 AS contentSha256, decision, code, reason, finding_code AS findingCode
           FROM messages WHERE pack_id = ? ORDER BY seq`,
      ),
      insertDelivery: db.prepare(
        `INSERT INTO e0501_deliveries (account, party_id, period, filename, trigger, at) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      deliveredCount: db.prepare(`SELECT COUNT(*) AS n FROM e0501_deliveries WHERE party_id = ? AND period = ?`),
      insertFault: db.prepare(`INSERT INTO faults_fired (fault, detail, at) VALUES (?, ?, ?)`),
    };
  }

  recordReceivedFile(account: string, name: string, size: number, sha256: string): void {
    this.statements.insertReceivedFile.run(account, name, size, sha256, now());
  }

  /** The size and digest of the latest upload of this name: what is in `in/` now, since only uploads put files there. */
  lastReceivedFile(account: string, name: string): { size: number; sha256: string } | undefined {
    return this.statements.lastReceivedFile.get(account, name) as { size: number; sha256: string } | undefined;
  }

  recordNotification(entry: {
    account: string | null;
    filename: string | null;
    retry: number | null;
    httpStatus: number;
    statusCode: number;
    code: string;
    fault: string | null;
  }): void {
    this.statements.insertNotification.run(
      entry.account,
      entry.filename,
      entry.retry,
      entry.httpStatus,
      entry.statusCode,
      entry.code,
      entry.fault,
      now(),
    );
  }

  findPack(account: string, filename: string): PackRecord | undefined {
    const row = this.statements.findPack.get(account, filename) as PackRow | undefined;
    return row && toPack(row);
  }

  packById(id: number): PackRecord | undefined {
    const row = this.statements.packById.get(id) as PackRow | undefined;
    return row && toPack(row);
  }

  insertPack(pack: NewPack): PackRecord {
    const info = this.statements.insertPack.run(
      pack.account,
      pack.filename,
      pack.messageType,
      pack.serviceType,
      pack.action,
      pack.quantity,
      pack.size,
      pack.zip ? 1 : 0,
      pack.sha256,
      pack.storedPath,
      JSON.stringify(pack.transFrom),
      JSON.stringify(pack.transTo),
      now(),
    );
    return this.packById(Number(info.lastInsertRowid))!;
  }

  /** The content digest of the message of this type and number accepted before, if any. */
  acceptedDigest(messageType: string, number: string): string | undefined {
    return (this.statements.acceptedDigest.get(messageType, number) as { digest: string } | undefined)?.digest;
  }

  /** Records every decision of a pack, and the pack as processed, in one transaction. */
  commitOutcome(packId: number, outcome: PackOutcomeRecord): void {
    const { insertMessage, markProcessed } = this.statements;
    const good = outcome.decisions.filter((d) => d.decision === 'accepted').length;
    this.db.transaction(() => {
      for (const d of outcome.decisions) {
        insertMessage.run(
          packId,
          d.seq,
          d.messageType,
          d.number,
          d.date,
          d.invoiceIdentifier,
          d.sellerId,
          d.contentSha256,
          d.decision,
          d.code,
          d.reason,
          d.findingCode,
        );
      }
      const changed = markProcessed.run(outcome.packCode, outcome.packReason, good, outcome.decisions.length - good, now(), packId).changes;
      if (changed !== 1) throw new Error(`pack ${packId} is not queued; its decisions were already recorded`);
    })();
  }

  markResults(packId: number, state: Exclude<ResultsState, 'pending'>): void {
    this.statements.markResults.run(state, now(), packId);
  }

  queuedPacks(): PackRecord[] {
    return (this.statements.queuedPacks.all() as PackRow[]).map(toPack);
  }

  packsWithPendingResults(): PackRecord[] {
    return (this.statements.pendingResults.all() as PackRow[]).map(toPack);
  }

  outcomeOf(pack: PackRecord): PackOutcomeRecord {
    return {
      packCode: pack.packCode,
      packReason: pack.packReason,
      decisions: this.statements.decisionsOf.all(pack.id) as MessageDecisionRecord[],
    };
  }

  recordE0501Delivery(entry: {
    account: string;
    partyId: string;
    period: string;
    filename: string;
    trigger: 'request' | 'schedule';
  }): void {
    this.statements.insertDelivery.run(entry.account, entry.partyId, entry.period, entry.filename, entry.trigger, now());
  }

  wasE0501Delivered(partyId: string, period: string): boolean {
    return ((this.statements.deliveredCount.get(partyId, period) as { n: number }).n ?? 0) > 0;
  }

  recordFault(fault: string, detail: string | null): void {
    this.statements.insertFault.run(fault, detail, now());
  }

  stats(options: { invoice?: string } = {}): SimStats {
    return queryStats(this.db, options);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toPack(row: PackRow): PackRecord {
  return {
    id: row.id,
    account: row.account,
    filename: row.filename,
    messageType: row.message_type,
    serviceType: row.service_type,
    action: row.action,
    quantity: row.quantity,
    size: row.size,
    zip: row.zip === 1,
    sha256: row.sha256,
    storedPath: row.stored_path,
    transFrom: JSON.parse(row.trans_from) as TransParty,
    transTo: JSON.parse(row.trans_to) as TransParty,
    state: row.state,
    packCode: row.pack_code,
    packReason: row.pack_reason,
    acceptedAt: row.accepted_at,
    resultsState: row.results_state,
  };
}

function now(): string {
  return new Date().toISOString();
}
