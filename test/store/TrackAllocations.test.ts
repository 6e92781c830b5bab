import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/Store.js';
import { TrackAllocations } from '../../src/store/TrackAllocations.js';
import { RANGE_SQL, TrackUsage } from '../../src/store/TrackUsage.js';
import { tempDir } from '../helpers/tempDir.js';
import { allocation, HEAD } from '../helpers/tracks.js';

const ab = allocation();

describe('TrackAllocations', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let tracks: TrackAllocations;
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(`${dir.path}/t.db`);
    tracks = new TrackAllocations(store.db);
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  it('records an allocation once: the same again is known, nothing added', () => {
    expect(tracks.record([ab], { source: 'E0501', sourceRef: 'a-E0501' }).added).toEqual([ab]);
    expect(tracks.record([ab], { source: 'file', sourceRef: 'list.csv' })).toEqual({ added: [], known: [ab], conflicts: [] });
    expect(tracks.forPeriod('11510')).toMatchObject([{ ...ab, source: 'E0501', sourceRef: 'a-E0501' }]);
  });

  it('refuses a list with one range overlapping a different one, and records none of it', () => {
    tracks.record([ab], { source: 'E0501', sourceRef: 'a' });
    const other = { ...ab, ban: '53718426', begin: 12345650, end: 12345749 };
    const fresh = { ...ab, track: 'CD' };
    const outcome = tracks.record([fresh, other], { source: 'file', sourceRef: 'b.csv' });
    expect(outcome.conflicts).toMatchObject([{ allocation: other, with: { ban: HEAD, source: 'E0501' } }]);
    expect(tracks.forPeriod('11510')).toHaveLength(1);
  });

  it("takes a branch's allotment inside its head office's range, and the head office's allocation again after it", () => {
    tracks.record([ab], { source: 'E0501', sourceRef: 'a' });
    const allotment = { ...ab, ban: '53718426', headBan: HEAD, begin: 12345650, booklets: 1 };
    expect(tracks.record([allotment], { source: 'E0401', sourceRef: 'E0401AB1234565011510', messageId: null }).added).toEqual([allotment]);
    expect(tracks.record([ab], { source: 'E0501', sourceRef: 'again' }).known).toEqual([ab]);
    const second = { ...allotment, ban: '12345675' };
    expect(tracks.record([second], { source: 'E0401', sourceRef: 'x' }).conflicts).toHaveLength(1);
    expect(tracks.forBan(HEAD, '11510').map((a) => a.ban)).toEqual([HEAD, '53718426']);
  });
});

describe('TrackAllocations around one number, among thousands of allotments', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let tracks: TrackAllocations;
  // A head office's range of 100,000 numbers, allotted to 2,000 branches in ranges of 50.
  const own = allocation({ begin: 10_000_000, end: 10_099_999, booklets: 2000 });
  const allotment = (i: number) =>
    allocation({ ban: String(30_000_000 + i), headBan: HEAD, begin: 10_000_000 + i * 50, end: 10_000_049 + i * 50, booklets: 1 });
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(`${dir.path}/t.db`);
    tracks = new TrackAllocations(store.db);
    tracks.record([own], { source: 'E0501', sourceRef: 'own' });
    tracks.record(
      Array.from({ length: 2000 }, (_, i) => allotment(i)),
      { source: 'E0401', sourceRef: 'many' },
    );
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  it('gives the F0401 rules what forBan gives, for the number asked: its own ranges and the allotment holding it', () => {
    const all = tracks.forBan(HEAD, '11510');
    expect(all).toHaveLength(2001);
    for (const n of [10_000_000, 10_000_049, 10_050_025, 10_099_999]) {
      const at = tracks.forBanAt(HEAD, '11510', `AB${n}`);
      const expected = all.filter((a) => a.ban === HEAD || (a.begin <= n && a.end >= n));
      expect(at.map((a) => a.id).sort(), String(n)).toEqual(expected.map((a) => a.id).sort());
    }
    expect(tracks.forBanAt(HEAD, '11510', 'CD10000000').map((a) => a.ban)).toEqual([HEAD]);
  });

  it('finds every allocation sharing a number with a range, the enclosing own range included', () => {
    const found = tracks.overlappingRange('11510', 'AB', 10_000_040, 10_000_120, 'standing');
    expect(found.map((a) => [a.ban, a.begin]).sort()).toEqual(
      [
        [HEAD, 10_000_000],
        ['30000000', 10_000_000],
        ['30000001', 10_000_050],
        ['30000002', 10_000_100],
      ].sort(),
    );
  });

  it('reads them through the lookup indexes, never the whole period', () => {
    const plan = (sql: string): string =>
      (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((p) => p.detail).join(' ');
    expect(
      plan(
        "SELECT id FROM track_allocations WHERE head_ban = 'x' AND head_ban IS NOT NULL AND period = 'p' AND track = 'AB' " +
          'AND begin_no <= 5',
      ),
    ).toMatch(/track_allocations_head_track/);
    expect(
      plan("SELECT id FROM track_allocations WHERE period = 'p' AND track = 'AB' AND head_ban IS NOT NULL AND begin_no BETWEEN 1 AND 5"),
    ).toMatch(/track_allocations_allotted/);
  });
});

describe('TrackAllocations within one list, and the plan of the usage query', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(`${dir.path}/t.db`);
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  it('refuses two rows of one list that overlap, or one range under two invoice types, without a raw constraint error', () => {
    const tracks = new TrackAllocations(store.db);
    const overlapping = tracks.record([ab, { ...ab, begin: 12345650, end: 12345749, booklets: 2 }], { source: 'file', sourceRef: 'l.csv' });
    expect(overlapping.conflicts).toHaveLength(1);
    expect(overlapping.conflicts[0]!.with.sourceRef).toBe('l.csv (the same file)');
    const twoTypes = tracks.record([ab, { ...ab, invoiceType: '08' }], { source: 'file', sourceRef: 'm.csv' });
    expect(twoTypes.conflicts).toHaveLength(1);
    expect(tracks.forPeriod('11510')).toEqual([]);
  });

  it("reads a range's invoices through the invoice number's index, never the type's", () => {
    const plan = store.db
      .prepare(`EXPLAIN QUERY PLAN ${RANGE_SQL}`)
      .all({ low: 'AB00000000', high: 'AB00000049', firstDate: '20260901', lastDate: '20261031' }) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX messages_number/);
    new TrackUsage(store.db).range('AB', 0, 49, { firstDate: '20260901', lastDate: '20261031' });
  });
});
