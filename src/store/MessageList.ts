import type { Database } from 'better-sqlite3';
import { TURNKEY_STATUS, type MessageState } from './states.js';

export interface ListedMessage {
  id: number;
  messageType: string;
  invoiceIdentifier: string | null;
  number: string | null;
  date: string | null;
  sellerId: string | null;
  buyerId: string | null;
  totalAmount: string | null;
  taxAmount: string | null;
  state: MessageState;
  turnkeyStatus: string;
  errorCode: string | null;
  errorText: string | null;
  sourceName: string;
  receivedAt: number;
  finalAt: number | null;
  acknowledgedAt: number | null;
}

export interface ListFilter {
  states?: readonly string[];
  types?: readonly string[];
  /** Received at or after (epoch ms). */
  since?: number;
  /** Received before. */
  until?: number;
  limit?: number;
  /** Newest first (the default), or oldest first. */
  order?: 'newest' | 'oldest';
}

/**
 * Messages, newest first, for `turnkey list` and `turnkey export`. Ids grow with time, so walking
 * the primary key backwards stops at `since` without an index on the reception time; a state or a
 * type narrows through their indexes.
 */
export function* listMessages(db: Database, filter: ListFilter): Generator<ListedMessage> {
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (filter.states?.length) {
    where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
    params.push(...filter.states);
  }
  if (filter.types?.length) {
    where.push(`message_type IN (${filter.types.map(() => '?').join(', ')})`);
    params.push(...filter.types);
  }
  if (filter.since !== undefined) {
    where.push('received_at >= ?');
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push('received_at < ?');
    params.push(filter.until);
  }
  const sql = `
    SELECT id, message_type AS messageType, message_key AS invoiceIdentifier, invoice_number AS number, invoice_date AS date,
           seller_id AS sellerId, buyer_id AS buyerId, total_amount AS totalAmount, tax_amount AS taxAmount, state,
           error_code AS errorCode, error_text AS errorText, source_name AS sourceName, received_at AS receivedAt, final_at AS finalAt,
           acknowledged_at AS acknowledgedAt
      FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY id ${filter.order === 'oldest' ? 'ASC' : 'DESC'} ${
       filter.limit !== undefined ? `LIMIT ` + `${Math.max(0, Math.floor(filter.limit))}` : ''
     }`;
  for (const row of db.prepare(sql).iterate(...params) as Iterable<Omit<ListedMessage, 'turnkeyStatus'>>) {
    yield { ...row, turnkeyStatus: TURNKEY_STATUS[row.state] };
  }
}
