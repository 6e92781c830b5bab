import type { Database, Statement } from 'better-sqlite3';
import type { PackRow, PackState } from './PackTransitions.js';

export interface QueuedGroup {
  messageType: string;
  sellerId: string;
  count: number;
  /** When the oldest message of the group became `queued` (epoch ms). */
  oldestQueuedAt: number;
}

export interface QueuedMessage {
  id: number;
  sha256: string;
  size: number;
  sourceName: string;
}

export interface PackMessageRef {
  messageId: number;
  invoiceNumber: string | null;
  invoiceDate: string | null;
  state: string;
}

const PACK_COLUMNS = `id, common_name AS commonName, signed_file_name AS signedFileName, message_type AS messageType,
  from_party_id AS fromPartyId, to_party_id AS toPartyId, message_count AS messageCount, size, zipped,
  payload_path AS payloadPath, payload_sha256 AS payloadSha256, state, notify_count AS notifyCount, attempts,
  next_attempt_at AS nextAttemptAt, created_at AS createdAt, first_attempt_at AS firstAttemptAt,
  counted_failures AS countedFailures, first_counted_failure_at AS firstCountedFailureAt, signer_fingerprint AS signerFingerprint`;

/** Read-only questions the outbound side asks: what to pack, what is due, what a result is about. */
export class OutboundQueries {
  private readonly groups: Statement;
  private readonly batch: Statement;
  private readonly due: Statement;
  private readonly byCommonName: Statement;
  private readonly byId: Statement;
  private readonly messagesOfPack: Statement;
  private readonly unfinishedAttempts: Statement;
  private readonly referencedPayloads: Statement;
  private readonly stuck: Statement;
  private readonly awaiting: Statement;
  private readonly openByParty: Statement;

  constructor(db: Database) {
    this.groups = db.prepare(`
      SELECT message_type AS messageType, COALESCE(seller_id, '') AS sellerId, count(*) AS count,
             min(state_changed_at) AS oldestQueuedAt
        FROM messages WHERE state = 'queued' GROUP BY message_type, seller_id`);
    this.batch = db.prepare(`
      SELECT id, sha256, size, source_name AS sourceName FROM messages
       WHERE state = 'queued' AND message_type = ? AND COALESCE(seller_id, '') = ? ORDER BY id LIMIT ?`);
    this.due = db.prepare(`
      SELECT ${PACK_COLUMNS} FROM packs
       WHERE state IN ('packed', 'file-uploaded', 'unknown') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`);
    this.byCommonName = db.prepare(`SELECT ${PACK_COLUMNS} FROM packs WHERE common_name = ?`);
    this.byId = db.prepare(`SELECT ${PACK_COLUMNS} FROM packs WHERE id = ?`);
    this.messagesOfPack = db.prepare(`
      SELECT m.id AS messageId, m.invoice_number AS invoiceNumber, m.invoice_date AS invoiceDate, m.state
        FROM pack_messages pm JOIN messages m ON m.id = pm.message_id WHERE pm.pack_id = ? ORDER BY pm.position`);
    this.unfinishedAttempts = db.prepare(`
      SELECT a.id AS attemptId, a.pack_id AS packId, a.stage FROM attempts a WHERE a.ended_at IS NULL`);
    this.referencedPayloads = db.prepare('SELECT payload_path FROM packs').pluck();
    this.awaiting = db.prepare("SELECT count(*) FROM packs WHERE state IN ('notified', 'unknown')").pluck();
    this.openByParty = db.prepare(`
      SELECT from_party_id AS partyId, count(*) AS packs FROM packs
       WHERE state NOT IN ('settled', 'refused') GROUP BY from_party_id`);
    this.stuck = db.prepare(`
      SELECT p.common_name AS commonName, p.message_type AS messageType, p.message_count AS messageCount,
             p.notified_at AS notifiedAt
        FROM packs p WHERE p.state IN ('notified', 'unknown') AND COALESCE(p.notified_at, p.uploaded_at) <= ?
       ORDER BY p.notified_at`);
  }

  queuedGroups(): QueuedGroup[] {
    return this.groups.all() as QueuedGroup[];
  }

  queuedBatch(messageType: string, sellerId: string, limit: number): QueuedMessage[] {
    return this.batch.all(messageType, sellerId, limit) as QueuedMessage[];
  }

  duePacks(now: number, limit: number): PackRow[] {
    return (this.due.all(now, limit) as PackRecord[]).map(toPack);
  }

  packByCommonName(commonName: string): PackRow | undefined {
    const row = this.byCommonName.get(commonName) as PackRecord | undefined;
    return row && toPack(row);
  }

  packById(id: number): PackRow | undefined {
    const row = this.byId.get(id) as PackRecord | undefined;
    return row && toPack(row);
  }

  messagesOf(packId: number): PackMessageRef[] {
    return this.messagesOfPack.all(packId) as PackMessageRef[];
  }

  /** Attempts a killed process left under way: their outcome was never recorded. */
  attemptsLeftUnderWay(): Array<{ attemptId: number; packId: number; stage: 'upload' | 'notify' }> {
    return this.unfinishedAttempts.all() as Array<{ attemptId: number; packId: number; stage: 'upload' | 'notify' }>;
  }

  payloadPaths(): Set<string> {
    return new Set(this.referencedPayloads.all() as string[]);
  }

  /** Packs not yet settled or refused, per sending party. */
  openPacksByParty(): Array<{ partyId: string; packs: number }> {
    return this.openByParty.all() as Array<{ partyId: string; packs: number }>;
  }

  /** Packs the platform has (or may have) whose results have not come yet. */
  packsAwaitingResults(): number {
    return this.awaiting.get() as number;
  }

  /** Packs the platform has (or may have) for longer than `olderThan` without a result. */
  packsWaitingSince(
    olderThan: number,
  ): Array<{ commonName: string; messageType: string; messageCount: number; notifiedAt: number | null }> {
    return this.stuck.all(olderThan) as Array<{ commonName: string; messageType: string; messageCount: number; notifiedAt: number | null }>;
  }
}

type PackRecord = Omit<PackRow, 'zipped'> & { zipped: number };

function toPack(row: PackRecord): PackRow {
  return { ...row, zipped: row.zipped === 1, state: row.state as PackState };
}
