import { describe, expect, it } from 'vitest';
import { claimNameFor, claimsOf, originalNameOf } from '../../src/fs/claimNames.js';

describe('the names of claimed files', () => {
  it('makes a unique claim name from which the original name comes back', () => {
    const a = claimNameFor('inv~1.xml');
    const b = claimNameFor('inv~1.xml');
    expect(a).not.toBe(b);
    expect(originalNameOf(a)).toBe('inv~1.xml');
    expect(originalNameOf('not-a-claim.xml')).toBeNull();
    // Claim names of earlier versions (12 random hex digits) are still understood after an upgrade.
    expect(originalNameOf('0123456789ab~inv.xml')).toBe('inv.xml');
  });

  it('makes claim ids that sort by time, so journal rows are appended to their index', () => {
    const earlier = claimNameFor('b.xml', Date.UTC(2026, 10, 22, 8, 0, 0, 1));
    const later = claimNameFor('a.xml', Date.UTC(2026, 10, 22, 8, 0, 0, 2));
    expect(earlier).toMatch(/^[0-9a-f]{20}~b\.xml$/);
    expect(earlier < later).toBe(true);
  });

  it('finds the claims of a file of a name, by its portable form', () => {
    const a = [claimNameFor('E0402_11508_a.xml'), claimNameFor('E0402_11508_a.xml')];
    const chinese = claimNameFor('發票.xml');
    const entries = [...a, chinese, 'E0402_11508_b.xml'];
    expect(claimsOf(entries, 'E0402_11508_a.xml')).toEqual(a);
    expect(claimsOf(entries, '發票.xml')).toEqual([chinese]);
    // A name in WORK that is no claim name is not one.
    expect(claimsOf(entries, 'E0402_11508_b.xml')).toEqual([]);
    expect(claimsOf(entries, 'E0402_11508_c.xml')).toEqual([]);
  });
});
