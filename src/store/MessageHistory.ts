import type { Database } from 'better-sqlite3';
import { TURNKEY_STATUS, type MessageState } from './states.js';

export interface MessageEventRow {
  at: number;
  kind: string;
  from: string | null;
  to: string | null;
  code: string | null;
  detail: string | null;
}

export interface AttemptRow {
  stage: string;
  startedAt: number;
  endedAt: number | null;
  outcome: string | null;
  errorCode: string | null;
  httpStatus: number | null;
  statusCode: number | null;
  detail: string | null;
}

export interface PackHistory {
  id: number;
  commonName: string;
  state: string;
  createdAt: number;
  payloadPath: string;
  attempts: AttemptRow[];
  results: Array<{ name: string; kind: string; localPath: string; receivedAt: number; appliedAt: number | null; problem: string | null }>;
}

export interface MessageHistory {
  id: number;
  uuid: string;
  messageType: string;
  category: string;
  invoiceIdentifier: string | null;
  number: string | null;
  date: string | null;
  state: MessageState;
  /** Turnkey's status letter (P, G, C, E). */
  turnkeyStatus: string;
  errorCode: string | null;
  errorText: string | null;
  sellerId: string | null;
  buyerId: string | null;
  totalAmount: string | null;
  sourceName: string;
  receivedAt: number;
  finalAt: number | null;
  uploadDeadline: number | null;
  acknowledgedAt: number | null;
  /** The version this one corrects, and the one that corrects it. */
  supersedes: number | null;
  supersededBy: number | null;
  events: MessageEventRow[];
  /** Where its files are: the BAK/ERR copy (data-root relative), the ERP's DownCast result file. */
  files: { filedAs: string | null; errReport: string | null; downCast: string | null };
  packs: PackHistory[];
}

export type HistoryQuery =
  | { kind: 'number'; value: string }
  | { kind: 'identifier'; value: string }
  | { kind: 'pack'; value: string }
  | { kind: 'file'; value: string };

/** Reads what `turnkey status <key>` shows: a message's whole history, from the store only (read-only). */
export class MessageHistoryReader {
  constructor(private readonly db: Database) {}

  /** How a key given on the command line is looked for: a number, an INVOICE_IDENTIFIER, a pack's common name, or a file name. */
  static classify(key: string): HistoryQuery {
    const value = key.trim();
    if (/^[A-Z]\d{4}.+\d{8}$/.test(value) && /^[FGE]\d{4}/.test(value)) return { kind: 'identifier', value };
    if (/^\d\.\d-[A-Z]\d{4}-/.test(value)) return { kind: 'pack', value };
    if (/\.[A-Za-z0-9]{1,5}$/.test(value) || value.includes('/') || value.includes('\\')) return { kind: 'file', value };
    return { kind: 'number', value };
  }

  /** The message ids a key names, oldest first (every version of a number, every message of a pack). */
  find(query: HistoryQuery): number[] {
    const ids = (sql: string, value: string) => (this.db.prepare(sql).pluck().all(value) as number[]).sort((a, b) => a - b);
    switch (query.kind) {
      case 'number':
        return ids('SELECT id FROM messages WHERE invoice_number = ?', query.value);
      case 'identifier': {
        const number = query.value.slice(5, -8);
        return ids('SELECT id FROM messages WHERE invoice_number = ?', number).filter((id) => this.keyOf(id) === query.value);
      }
      case 'pack':
        return ids('SELECT pm.message_id FROM pack_messages pm JOIN packs p ON p.id = pm.pack_id WHERE p.common_name = ?', query.value);
      case 'file': {
        // A file name is not indexed (it is rarely asked): the journal of claimed files is read whole.
        const name = query.value.split(/[\\/]/).pop()!;
        return ids('SELECT DISTINCT message_id FROM intake_files WHERE original_name = ?', name);
      }
    }
  }

  read(id: number): MessageHistory | undefined {
    const row = this.db
      .prepare(
        `SELECT id, uuid, message_type AS messageType, category, message_key AS invoiceIdentifier, invoice_number AS number,
                invoice_date AS date, state, error_code AS errorCode, error_text AS errorText, seller_id AS sellerId, buyer_id AS buyerId,
                total_amount AS totalAmount, source_name AS sourceName, received_at AS receivedAt, final_at AS finalAt,
                upload_deadline AS uploadDeadline, acknowledged_at AS acknowledgedAt, supersedes,
                (SELECT min(n.id) FROM messages n WHERE n.supersedes = m.id) AS supersededBy,
                (SELECT d.path FROM downcast_files d WHERE d.id = m.downcast_file) AS downCast
           FROM messages m WHERE id = ?`,
      )
      .get(id) as (Omit<MessageHistory, 'turnkeyStatus' | 'events' | 'files' | 'packs'> & { downCast: string | null }) | undefined;
    if (!row) return undefined;
    const events = this.db
      .prepare(`SELECT at, kind, from_state AS "from", to_state AS "to", code, detail FROM message_events WHERE message_id = ? ORDER BY id`)
      .all(id) as MessageEventRow[];
    const filed = this.db
      .prepare('SELECT disposition, target_path AS targetPath FROM intake_files WHERE message_id = ? ORDER BY id LIMIT 1')
      .get(id) as { disposition: 'BAK' | 'ERR'; targetPath: string } | undefined;
    const { downCast, ...message } = row;
    return {
      ...message,
      turnkeyStatus: TURNKEY_STATUS[row.state],
      events,
      files: {
        filedAs: filed?.targetPath ?? null,
        errReport: filed?.disposition === 'ERR' ? `${filed.targetPath}.err.txt` : null,
        downCast,
      },
      packs: this.packsOf(id),
    };
  }

  private keyOf(id: number): string | null {
    return this.db.prepare('SELECT message_key FROM messages WHERE id = ?').pluck().get(id) as string | null;
  }

  private packsOf(messageId: number): PackHistory[] {
    const packs = this.db
      .prepare(
        `SELECT p.id, p.common_name AS commonName, p.state, p.created_at AS createdAt, p.payload_path AS payloadPath
           FROM pack_messages pm JOIN packs p ON p.id = pm.pack_id WHERE pm.message_id = ? ORDER BY p.id`,
      )
      .all(messageId) as Array<Omit<PackHistory, 'attempts' | 'results'>>;
    const attempts = this.db.prepare(
      `SELECT stage, started_at AS startedAt, ended_at AS endedAt, outcome, error_code AS errorCode, http_status AS httpStatus,
              status_code AS statusCode, detail FROM attempts WHERE pack_id = ? ORDER BY id`,
    );
    const results = this.db.prepare(
      `SELECT remote_name AS name, kind, local_path AS localPath, received_at AS receivedAt, applied_at AS appliedAt, problem
         FROM received_files WHERE pack_id = ? ORDER BY id`,
    );
    return packs.map((p) => ({
      ...p,
      attempts: attempts.all(p.id) as AttemptRow[],
      results: results.all(p.id) as PackHistory['results'],
    }));
  }
}
