import { ConfigError } from '../../errors/TurnkeyError.js';
import { parseZonedTime } from '../../time/taiwanTime.js';

/** Numbers come in booklets (本) of 50. */
export const NUMBERS_PER_BOOKLET = 50;

/** One track allocation as configured. */
export interface AllocationInput {
  /** The merchant's BAN. */
  partyId: string;
  /** ROC year + even end month, e.g. `11512` (Nov-Dec 2026). */
  period: string;
  /** Two upper-case letters, e.g. `AB`. */
  track: string;
  /** First number, eight digits, on a booklet boundary (a multiple of 50). */
  begin: string;
  /** Last number, eight digits. */
  end: string;
  /** Booklets of 50; when absent, computed from the range (which must then be whole booklets). */
  booklets?: number;
  /** `07` general (the default) or `08` special. */
  invoiceType?: '07' | '08';
  /** When the scheduled E0501 may deliver it (ISO time with offset); absent: at once. */
  availableAt?: string;
}

export interface Allocation {
  partyId: string;
  period: string;
  track: string;
  begin: number;
  end: number;
  booklets: number;
  invoiceType: '07' | '08';
  availableAt: Date | null;
}

/** The track allocations the platform has made, per merchant and period. */
export class AllocationBook {
  readonly allocations: readonly Allocation[];

  constructor(inputs: ReadonlyArray<AllocationInput> = []) {
    this.allocations = inputs.map((input, i) => checkAllocation(input, `allocations[${i}]`));
    const sorted = [...this.allocations].sort((a, b) => a.track.localeCompare(b.track) || a.begin - b.begin);
    for (let i = 1; i < sorted.length; i++) {
      const [a, b] = [sorted[i - 1]!, sorted[i]!];
      if (a.track === b.track && a.period === b.period && b.begin <= a.end) {
        throw new ConfigError(
          `allocations: ${a.track}${pad(a.begin)}-${pad(a.end)} and ${b.track}${pad(b.begin)}-${pad(b.end)} overlap in period ${a.period}`,
        );
      }
    }
  }

  /** The allocations of a period, optionally of one merchant, grouped by merchant. */
  byParty(period: string, partyId?: string): Map<string, Allocation[]> {
    const groups = new Map<string, Allocation[]>();
    for (const a of this.allocations) {
      if (a.period !== period || (partyId !== undefined && a.partyId !== partyId)) continue;
      groups.set(a.partyId, [...(groups.get(a.partyId) ?? []), a]);
    }
    return groups;
  }

  /** Every (merchant, period) with allocations available at `now`. */
  availableGroups(now: Date): Array<{ partyId: string; period: string }> {
    const seen = new Map<string, { partyId: string; period: string }>();
    for (const a of this.allocations) {
      if (a.availableAt && a.availableAt > now) continue;
      seen.set(`${a.partyId}|${a.period}`, { partyId: a.partyId, period: a.period });
    }
    return [...seen.values()];
  }

  /** Was this invoice number allocated to this merchant for this period? */
  covers(partyId: string, period: string, invoiceNumber: string): boolean {
    const match = /^([A-Z]{2})(\d{8})$/.exec(invoiceNumber);
    if (!match) return false;
    const track = match[1]!;
    const n = Number(match[2]);
    return this.allocations.some((a) => a.partyId === partyId && a.period === period && a.track === track && a.begin <= n && n <= a.end);
  }
}

/** The period (期別) of a `yyyyMMdd` date: ROC year and the even end month, e.g. 20261005 → `11510`. */
export function pad(n: number): string {
  return String(n).padStart(8, '0');
}

function checkAllocation(input: AllocationInput, where: string): Allocation {
  const problems: string[] = [];
  if (!/^\d{8}$/.test(input.partyId)) problems.push('partyId must be an 8-digit BAN');
  if (!/^\d{3}(02|04|06|08|10|12)$/.test(input.period)) problems.push('period must be ROC year + even end month, e.g. 11512');
  if (!/^[A-Z]{2}$/.test(input.track)) problems.push('track must be two upper-case letters');
  if (!/^\d{8}$/.test(input.begin) || !/^\d{8}$/.test(input.end)) problems.push('begin and end must be eight digits');
  const invoiceType = input.invoiceType ?? '07';
  if (invoiceType !== '07' && invoiceType !== '08') problems.push('invoiceType must be "07" or "08"');
  let availableAt: Date | null = null;
  if (input.availableAt !== undefined) {
    availableAt = parseZonedTime(input.availableAt);
    if (!availableAt) problems.push('availableAt must be an ISO time with an offset, e.g. 2026-10-18T09:00:00+08:00');
  }
  if (problems.length > 0) throw new ConfigError(`${where}: ${problems.join('; ')}`);
  const begin = Number(input.begin);
  const end = Number(input.end);
  const count = end - begin + 1;
  if (count < 1) throw new ConfigError(`${where}: end ${input.end} is before begin ${input.begin}`);
  if (begin % NUMBERS_PER_BOOKLET !== 0 || count % NUMBERS_PER_BOOKLET !== 0) {
    throw new ConfigError(
      `${where}: ${input.begin}-${input.end} is not whole booklets of ${NUMBERS_PER_BOOKLET} numbers (begin on a multiple of 50, a ` +
        `multiple of 50 numbers)`,
    );
  }
  const booklets = count / NUMBERS_PER_BOOKLET;
  if (input.booklets !== undefined && input.booklets !== booklets) {
    throw new ConfigError(`${where}: ${count} numbers make ${booklets} booklets, not ${input.booklets}`);
  }
  return { partyId: input.partyId, period: input.period, track: input.track, begin, end, booklets, invoiceType, availableAt };
}
