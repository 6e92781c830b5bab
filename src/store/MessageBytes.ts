import { createHash } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { StoreError } from './StoreError.js';

/**
 * The exact bytes that were validated, kept in the database with their message (keyed by its id,
 * so rows are appended in the order messages arrive) and their SHA-256. They are written in the
 * same transaction that records the message, so a recorded valid message always has its bytes;
 * `read` re-hashes them, so what is sent later is provably what was checked.
 */
export class MessageBytes {
  private readonly insert: Statement;
  private readonly select: Statement;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare('INSERT INTO message_bytes (message_id, sha256, size, bytes, stored_at) VALUES (?, ?, ?, ?, ?)');
    this.select = db.prepare('SELECT sha256, bytes FROM message_bytes WHERE message_id = ?');
  }

  /** Keeps the message's bytes (once: a message's bytes never change). */
  keep(messageId: number, sha256: string, bytes: Uint8Array): void {
    this.insert.run(messageId, sha256, bytes.byteLength, bytes, this.now());
  }

  /** The message's kept bytes, checked against their hash; undefined when absent (never kept, or pruned). */
  read(messageId: number): Buffer | undefined {
    const row = this.select.get(messageId) as { sha256: string; bytes: Buffer } | undefined;
    if (row === undefined) return undefined;
    const actual = createHash('sha256').update(row.bytes).digest('hex');
    if (actual !== row.sha256) {
      throw new StoreError('bytes-mismatch', `the kept bytes of message ${messageId} hash to ${actual}, not ${row.sha256}`, {
        hint: 'The database file was altered or damaged; restore it from a backup.',
      });
    }
    return row.bytes;
  }
}
