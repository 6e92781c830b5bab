import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/Store.js';
import { TrackAllocations } from '../../src/store/TrackAllocations.js';
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
