import type { Database } from 'better-sqlite3';
import { AllowanceLedger } from '../store/AllowanceLedger.js';
import { MessageBytes } from '../store/MessageBytes.js';
import type { AsyncValidator } from '../validation/types.js';

/**
 * Allowances taken before the store recorded what they take off invoices (before migration 6)
 * are read again from their kept bytes, so that later allowances and cancels are checked against
 * them too. Allowances whose bytes were pruned stay unknown (they are final, and old). Repeatable:
 * an allowance already in the ledger is not read again.
 */
export async function backfillAllowanceRefs(db: Database, validator: AsyncValidator): Promise<number> {
  const missing = db
    .prepare(
      `
      SELECT m.id FROM messages m
       WHERE m.message_type = 'G0401' AND m.holds_key = 1 AND m.bytes_kept = 1
         AND NOT EXISTS (SELECT 1 FROM allowance_refs a WHERE a.message_id = m.id)`,
    )
    .pluck()
    .all() as number[];
  if (missing.length === 0) return 0;
  const bytes = new MessageBytes(db);
  const ledger = new AllowanceLedger(db);
  let done = 0;
  for (const id of missing) {
    const kept = bytes.read(id);
    const references = kept ? ((await validator.validate(kept)).fields?.references ?? []) : [];
    if (references.length === 0) continue;
    db.transaction(() => ledger.record(id, references))();
    done++;
  }
  return done;
}
