import { describe, expect, it } from 'vitest';
import { Validator } from '../../src/validation/Validator.js';
import { MAX_RANGES_PER_MESSAGE, planBlankReport } from '../../src/tracks/blankReport.js';
import type { Allocation } from '../../src/tracks/Allocation.js';
import { allocation as base, HEAD } from '../helpers/tracks.js';

const BRANCH = '53718426';
const allocation = (over: Partial<Allocation>): Allocation => base({ period: '11508', ...over });

describe('planBlankReport (E0402)', () => {
  it(
    'lists exactly the unused numbers as contiguous ranges: gaps, the first and last numbers, two tracks, a branch ' + 'allotment',
    async () => {
      const allocations = [
        allocation({}), // AB12345600–699, head office
        allocation({ track: 'CD', begin: 100, end: 149, booklets: 1 }),
        // The head office allotted AB12345650–699 to a branch (E0401): the branch reports those.
        allocation({ ban: BRANCH, headBan: HEAD, begin: 12345650, end: 12345699, booklets: 1 }),
      ];
      // Used: AB …600–…609, …612 (a cancelled invoice still uses its number), …649 (the last of the head's part),
      // the branch …650 and …651; CD none but 100 and 149.
      const used: Record<string, number[]> = {
        AB: [...Array.from({ length: 10 }, (_, i) => 12345600 + i), 12345612, 12345649, 12345650, 12345651],
        CD: [100, 149],
      };
      const messages = planBlankReport('11508', allocations, (track, begin, end) => used[track]!.filter((n) => n >= begin && n <= end));
      expect(messages.map((m) => [m.headBan, m.branchBan, m.track, m.ranges, m.numbers, m.fileName])).toEqual([
        [
          HEAD,
          HEAD,
          'AB',
          [
            { begin: 12345610, end: 12345611 },
            { begin: 12345613, end: 12345648 },
          ],
          38,
          `E0402_11508_${HEAD}_${HEAD}_07_AB.xml`,
        ],
        [HEAD, HEAD, 'CD', [{ begin: 101, end: 148 }], 48, `E0402_11508_${HEAD}_${HEAD}_07_CD.xml`],
        [HEAD, BRANCH, 'AB', [{ begin: 12345652, end: 12345699 }], 48, `E0402_11508_${HEAD}_${BRANCH}_07_AB.xml`],
      ]);

      const validator = await Validator.create();
      try {
        for (const m of messages) {
          const report = validator.validate(Buffer.from(m.xml, 'utf8'));
          expect(report.errors).toEqual([]);
          expect(report).toMatchObject({ valid: true, messageType: 'E0402' });
        }
        expect(messages[2]!.xml).toContain('<InvoiceBeginNo>12345652</InvoiceBeginNo>');
        expect(messages[1]!.xml).toContain('<InvoiceBeginNo>00000101</InvoiceBeginNo>');
      } finally {
        validator.dispose();
      }
    },
  );

  it('joins allocations that follow each other, skips one used up, and splits over 10,000 ranges into parts', () => {
    const back = [allocation({ begin: 0, end: 49, booklets: 1 }), allocation({ begin: 50, end: 99, booklets: 1 })];
    expect(planBlankReport('11508', back, () => [])[0]!.ranges).toEqual([{ begin: 0, end: 99 }]);
    const usedUp = allocation({ begin: 0, end: 49, booklets: 1 });
    expect(planBlankReport('11508', [usedUp], () => Array.from({ length: 50 }, (_, i) => i))).toEqual([]);

    // Every other number used: 10,001 gaps in 20,002 numbers.
    const big = allocation({ begin: 0, end: 20_049, booklets: 401 });
    const every = (_t: string, begin: number, end: number) =>
      Array.from({ length: end - begin + 1 }, (_, i) => begin + i).filter((n) => n % 2 === 1 && n < 20_002);
    const parts = planBlankReport('11508', [big], every);
    expect(parts.map((m) => [m.part, m.ranges.length, m.fileName])).toEqual([
      [1, MAX_RANGES_PER_MESSAGE, `E0402_11508_${HEAD}_${HEAD}_07_AB_1.xml`],
      [2, 2, `E0402_11508_${HEAD}_${HEAD}_07_AB_2.xml`],
    ]);
    expect(parts[1]!.ranges.at(-1)).toEqual({ begin: 20_002, end: 20_049 });
  });

  it('reports nothing of another period', () => {
    expect(planBlankReport('11510', [allocation({})], () => [])).toEqual([]);
  });
});
