import type Database from '../sqlite/Database.js';

const DAY_MS = 86_400_000;

/** The mix of a year of a mid-sized merchant: mostly B2C invoices, some cancels and allowances, a few of everything else. */
const TYPES: ReadonlyArray<[type: string, category: string, share: number]> = [
  ['F0401', 'B2SSTORAGE', 0.86],
  ['F0501', 'B2SSTORAGE', 0.04],
  ['F0701', 'B2SSTORAGE', 0.01],
  ['G0401', 'B2SSTORAGE', 0.06],
  ['G0501', 'B2SSTORAGE', 0.02],
  ['E0401', 'B2PMESSAGE', 0.005],
  ['E0402', 'B2PMESSAGE', 0.005],
];

/**
 * Fills an empty store (migrated) with `count` messages over the last 400 days as the daemon would
 * have left them: almost all confirmed, some rejected, invalid and failed, the newest still on their
 * way; each with its events (received → … → final), its pack (1,000 per pack) and the pack's
 * attempts. Rows are written with plain inserts in large transactions: a million messages take
 * well under a minute, where recording them one by one would take an hour.
 */
export function fillStore(db: Database.Database, count: number, now: number): void {
  const start = now - 400 * DAY_MS;
  const step = (now - 60_000 - start) / count;
  const insertMessage = db.prepare(`
    INSERT INTO messages (id, uuid, message_type, category, message_key, holds_key, invoice_number, invoice_date, seller_id,
      seller_name, buyer_id, buyer_name, total_amount, tax_amount, sha256, size, source_name, state, error_code, error_text,
      received_at, state_changed_at, final_at, bytes_kept, downcast_at, upload_deadline)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, '24634102', 'Seller', ?, '0000', '105', '5', ?, 4700, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`);
  const insertEvent = db.prepare(
    "INSERT INTO message_events (message_id, at, kind, from_state, to_state, code) VALUES (?, ?, 'state', ?, ?, ?)",
  );
  const insertPack = db.prepare(`
    INSERT INTO packs (id, common_name, signed_file_name, message_type, from_party_id, to_party_id, message_count, size, zipped,
      payload_path, payload_sha256, state, notify_count, attempts, next_attempt_at, created_at, first_attempt_at, uploaded_at,
      notified_at, ended_at)
    VALUES (?, ?, ?, ?, '24634102', '0000000000', ?, 4700000, 0, ?, 'ab', ?, 1, 2, ?, ?, ?, ?, ?, ?)`);
  const insertPackMessage = db.prepare('INSERT INTO pack_messages (pack_id, message_id, position) VALUES (?, ?, ?)');
  const insertAttempt = db.prepare("INSERT INTO attempts (pack_id, stage, started_at, ended_at, outcome) VALUES (?, ?, ?, ?, 'ok')");

  let packId = 0;
  // One pack open per type, as the packer cuts them.
  const open = new Map<string, { type: string; members: number[]; at: number; state: string }>();
  const closePack = (packOf: { type: string; members: number[]; at: number; state: string }): void => {
    if (packOf.members.length === 0) return;
    packId++;
    const name = `4.1-${packOf.type}-bench-${packId}`;
    const ended = packOf.state === 'settled' ? packOf.at + 120_000 : null;
    insertPack.run(
      packId,
      name,
      `x_${name}_2`,
      packOf.type,
      packOf.members.length,
      `/outbox/${name}`,
      packOf.state,
      packOf.at,
      packOf.at,
      packOf.at,
      packOf.at + 1000,
      packOf.at + 2000,
      ended,
    );
    packOf.members.forEach((id, i) => insertPackMessage.run(packId, id, i));
    insertAttempt.run(packId, 'upload', packOf.at, packOf.at + 800);
    insertAttempt.run(packId, 'notify', packOf.at + 1000, packOf.at + 1100);
  };

  const write = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const at = Math.round(start + i * step);
      const [type, category] = pick(i);
      const fresh = i >= count - 2_000; // the last ones are still on their way
      const roll = (i * 2654435761) % 10_000; // a deterministic spread
      const state = fresh
        ? (['queued', 'packed', 'uploaded'] as const)[i % 3]!
        : roll < 100
          ? 'invalid'
          : roll < 150
            ? 'rejected'
            : roll < 155
              ? 'failed'
              : 'confirmed';
      const id = i + 1;
      const track = String.fromCharCode(65 + ((i >> 20) % 26)) + String.fromCharCode(65 + ((i >> 15) % 26));
      const number = `${track}${String(i % 100_000_000).padStart(8, '0')}`;
      const date = new Date(at + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
      const final = state === 'confirmed' || state === 'rejected' || state === 'invalid' ? at + 300_000 : null;
      const valid = state !== 'invalid';
      insertMessage.run(
        id,
        `bench-${id}`,
        type,
        category,
        `${type}${number}${date}`,
        valid ? 1 : 0,
        number,
        date,
        roll < 3000 ? '24634102' : '0000000000',
        `sha-${id}`,
        `${number}.xml`,
        state,
        state === 'invalid' ? 'amount-total' : state === 'rejected' ? 'E9102' : state === 'failed' ? 'retries-exhausted' : null,
        state === 'invalid' || state === 'rejected' ? 'the total is not the sum of the items' : null,
        at,
        final ?? at,
        final,
        final === null ? null : final + 1000,
        at + 48 * 3600_000,
      );
      insertEvent.run(id, at, null, 'received', null);
      insertEvent.run(id, at + 10, 'received', valid ? 'queued' : 'invalid', state === 'invalid' ? 'amount-total' : null);
      if (!valid || state === 'queued') continue;
      insertEvent.run(id, at + 1000, 'queued', 'packed', null);
      if (state !== 'packed') insertEvent.run(id, at + 3000, 'packed', 'uploaded', null);
      if (state === 'confirmed' || state === 'rejected')
        insertEvent.run(id, final!, 'uploaded', state, state === 'rejected' ? 'E9102' : null);
      if (state === 'failed') insertEvent.run(id, at + 4000, 'packed', 'failed', 'retries-exhausted');
      const packState = fresh ? (state === 'packed' ? 'packed' : 'notified') : 'settled';
      let pack = open.get(`${type} ${packState}`);
      if (pack && pack.members.length >= 1000) {
        closePack(pack);
        pack = undefined;
      }
      if (!pack) open.set(`${type} ${packState}`, (pack = { type, members: [], at, state: packState }));
      pack.members.push(id);
    }
  });
  for (let from = 0; from < count; from += 50_000) write(from, Math.min(count, from + 50_000));
  db.transaction(() => {
    open.forEach(closePack);
    // Written around MessageTransitions: its counts are made from the rows.
    db.exec('DELETE FROM message_counts');
    db.exec('INSERT INTO message_counts SELECT message_type, state, count(*) FROM messages GROUP BY message_type, state');
  })();
  db.pragma('optimize');
}

function pick(i: number): [string, string] {
  let x = ((i * 40503) % 10_000) / 10_000;
  for (const [type, category, share] of TYPES) {
    if (x < share) return [type, category];
    x -= share;
  }
  return ['F0401', 'B2SSTORAGE'];
}
