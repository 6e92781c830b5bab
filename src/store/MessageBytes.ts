import { createHash } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { StoreError } from './StoreError.js';

/**
 * The exact bytes that were validated, kept in the database and addressed by their SHA-256. They
 * are written in the same transaction that records the message, so a recorded valid message always
 * has its bytes; `read` re-hashes them, so what is sent later is provably what was checked.
 */
export class MessageBytes {
  private readonly insert: Statement;
  private readonly select: Statement;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare('INSERT OR IGNORE INTO message_bytes (sha256, size, bytes, stored_at) VALUES (?, ?, ?, ?)');
    this.select = db.prepare('SELECT bytes FROM message_bytes WHERE sha256 = ?').pluck();
  }

  /** Stores the bytes under their hash; storing the same content again is a no-op. */
  keep(sha256: string, bytes: Uint8Array): void {
    this.insert.run(sha256, bytes.byteLength, bytes, this.now());
  }

  /** The kept bytes, checked against their hash; undefined when absent (never kept, or pruned). */
  read(sha256: string): Buffer | undefined {
    const bytes = this.select.get(sha256) as Buffer | undefined;
    if (bytes === undefined) return undefined;
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) {
      throw new StoreError('bytes-mismatch', `the kept bytes of ${sha256} hash to ${actual}`, {
        hint: 'The database file was altered or damaged; restore it from a backup.',
      });
    }
    return bytes;
  }
}
