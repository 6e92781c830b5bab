import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mixedMessages } from '../../src/mig/MessageFactory.js';
import { waitFor } from '../helpers/daemonProcess.js';
import { banWithPrefix, DEFAULT_SELLER_ID, f0401Xml, invoiceNumber, taiwanDate } from '../helpers/f0401.js';
import { PlatformPair, SECOND_SELLER_ID } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

interface Row {
  id: number;
  type: string;
  number: string;
  state: string;
  code: string | null;
  text: string | null;
  supersedes: number | null;
}

describe('every message type and every sender, to the end (daemon and simulator as processes)', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PlatformPair | null = null;

  beforeEach(() => {
    dir = tempDir('turnkey-types-');
  });
  afterEach(async () => {
    await pair?.stop();
    pair = null;
    dir.cleanup();
  });

  const rows = (): Row[] => {
    const db = new Database(pair!.database, { readonly: true });
    try {
      return db
        .prepare(
          'SELECT id, message_type AS type, invoice_number AS number, state, error_code AS code, error_text AS text, supersedes FROM ' +
            'messages ORDER BY id',
        )
        .all() as Row[];
    } finally {
      db.close();
    }
  };
  const query = <T>(sql: string, ...params: unknown[]): T[] => {
    const db = new Database(pair!.database, { readonly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  };

  it(
    'sends a mix of all seven types for two senders, each with its own identity; the platform refuses one of each type, every other is ' +
      'confirmed, each accepted once',
    async () => {
      const first = mixedMessages({ invoices: 20, sellerId: DEFAULT_SELLER_ID, letters: 'MA' });
      const second = mixedMessages({ invoices: 20, sellerId: SECOND_SELLER_ID, letters: 'MB' });
      // One message of each type refused by the platform (a rule it applies and we do not).
      const refused = ['F0401', 'F0501', 'F0701', 'G0401', 'G0501', 'E0401', 'E0402'].map((type, i) => {
        const from = i % 2 === 0 ? first : second;
        return from.filter((m) => m.type === type)[1]!;
      });
      pair = await PlatformPair.create(dir.path, {
        senders: 2,
        sim: { validation: { rejectInvoiceNumbers: refused.map((m) => `${m.type}:${m.number}`), requireSellerIsSender: true } },
        outbound: { maxPackWaitSeconds: 0.5 },
      });
      await pair.startSim();
      await pair.startDaemon();
      pair.dropMessages([...first, ...second]);
      const total = first.length + second.length;
      expect(await pair.waitForFinal(total, 90_000)).toEqual({ confirmed: total - refused.length, rejected: refused.length });

      const all = rows();
      for (const m of refused) {
        const row = all.find((r) => r.type === m.type && r.number === m.number);
        expect(row, `${m.type} ${m.number}`).toMatchObject({ state: 'rejected', code: 'E9102' });
        expect(row!.text, `${m.type} ${m.number}`).toContain(m.number);
      }
      // Each message was accepted by the platform once, except the refused ones, never twice.
      const stats = pair.simStats();
      for (const m of [...first, ...second]) {
        const counts = stats.invoices.find((i) => i.messageType === m.type && i.number === m.number);
        const isRefused = refused.includes(m);
        expect(counts, `${m.type} ${m.number}`).toMatchObject({ accepted: isRefused ? 0 : 1, rejected: isRefused ? 1 : 0, duplicate: 0 });
      }
      // Packs were made per sender and sent with that sender's identity (the platform checks the
      // envelope's From against the account, and the seller against the sender).
      const packs = query<{ from: string; n: number }>(
        'SELECT from_party_id AS "from", count(*) AS n FROM packs GROUP BY from_party_id ORDER BY 1',
      );
      expect(packs.map((p) => p.from).sort()).toEqual([DEFAULT_SELLER_ID, SECOND_SELLER_ID].sort());
      const mixed = query<{ n: number }>(
        `SELECT count(*) AS n FROM pack_messages pm JOIN packs p ON p.id = pm.pack_id JOIN messages m ON m.id = pm.message_id
        WHERE m.seller_id <> p.from_party_id`,
      );
      expect(mixed[0]!.n).toBe(0);
    },
    150_000,
  );

  it(
    'confirms a corrected invoice sent again after a rejection, keeps both versions in the history, and catches a number issued twice ' +
      'and an unknown seller at intake',
    async () => {
      const number = invoiceNumber(42, 'CR');
      pair = await PlatformPair.create(dir.path, { sim: { validation: { rejectInvoiceNumbers: [number] } } });
      await pair.startSim();
      await pair.startDaemon();
      const date = taiwanDate(new Date(), 1);
      pair.dropMessages([{ type: 'F0401', name: 'first.xml', xml: f0401Xml({ number, date }) }]);
      await waitFor(() => rows().some((r) => r.state === 'rejected'), 'the first version rejected', 30_000);

      // The platform no longer refuses it (say, the cause was fixed): the corrected file is sent again.
      const response = await pair.simAdmin('PUT', '/_sim/rules', { rejectInvoiceNumbers: [] });
      expect(response.ok).toBe(true);
      const corrected = f0401Xml({ number, date, buyerName: 'Corrected Co.' });
      pair.dropMessages([{ type: 'F0401', name: 'corrected.xml', xml: corrected }]);
      await waitFor(() => rows().some((r) => r.state === 'confirmed'), 'the corrected version confirmed', 30_000);
      const [v1, v2] = rows();
      expect(v1).toMatchObject({ number, state: 'rejected', supersedes: null });
      expect(v2).toMatchObject({ number, state: 'confirmed', supersedes: v1!.id });
      const history = query<{ message: number; kind: string; detail: string | null }>(
        "SELECT message_id AS message, kind, detail FROM message_events WHERE kind IN ('superseded', 'supersedes') ORDER BY id",
      );
      expect(history).toEqual([
        { message: v1!.id, kind: 'superseded', detail: expect.stringContaining(`message #${v2!.id}`) },
        { message: v2!.id, kind: 'supersedes', detail: `message #${v1!.id} (rejected)` },
      ]);
      // A changed copy of the confirmed version is still refused.
      pair.dropMessages([{ type: 'F0401', name: 'changed.xml', xml: f0401Xml({ number, date, buyerName: 'Someone Else' }) }]);
      // The same number on another day (the platform's E1003), and a seller no sender covers, stop at intake.
      pair.dropMessages([
        { type: 'F0401', name: 'again.xml', xml: f0401Xml({ number, date: taiwanDate(new Date(), 3) }) },
        { type: 'F0401', name: 'stranger.xml', xml: f0401Xml({ number: invoiceNumber(43, 'CR'), sellerId: banWithPrefix('1234567') }) },
      ]);
      await waitFor(() => rows().filter((r) => r.state === 'invalid').length === 3, 'three refusals at intake', 30_000);
      expect(
        rows()
          .filter((r) => r.state === 'invalid')
          .map((r) => r.code)
          .sort(),
      ).toEqual(['duplicate-conflict', 'number-reused', 'sender-unknown']);
      const stats = pair.simStats();
      expect(stats.invoices.filter((i) => i.number === number)).toEqual([
        expect.objectContaining({ accepted: 1, rejected: 1, duplicate: 0 }),
      ]);
      expect(stats.invoices.find((i) => i.number === invoiceNumber(43, 'CR'))).toBeUndefined();
    },
    90_000,
  );
});
