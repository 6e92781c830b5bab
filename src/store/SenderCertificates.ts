import type { Database } from 'better-sqlite3';

/** The senders' certificates as the daemon last loaded them: `turnkey status` shows when each expires. */
export function recordSenderCertificates(
  db: Database,
  certificates: ReadonlyArray<{ partyId: string; subject: string; fingerprint: string; notAfter: Date }>,
  now: number = Date.now(),
): void {
  const insert = db.prepare(
    'INSERT INTO sender_certificates (party_id, subject, fingerprint, not_after, recorded_at) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    // The configuration's senders now: one removed from it is no longer shown.
    db.exec('DELETE FROM sender_certificates');
    for (const c of certificates) insert.run(c.partyId, c.subject, c.fingerprint, c.notAfter.getTime(), now);
  }).immediate();
}
