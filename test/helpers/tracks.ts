import type { Allocation } from '../../src/store/TrackAllocations.js';

/** A head office's BAN for track tests. */
export const HEAD = '24634102';

/** The platform's allocation of AB12345600–AB12345699 (two booklets) to HEAD in period 11510, with `over` applied. */
export function allocation(over: Partial<Allocation> = {}): Allocation {
  return {
    ban: HEAD,
    headBan: null,
    period: '11510',
    invoiceType: '07',
    track: 'AB',
    begin: 12345600,
    end: 12345699,
    booklets: 2,
    ...over,
  };
}
