import type { Database, Statement } from 'better-sqlite3';

/** Where an allocation was learnt from. */
export type AllocationSource = 'E0501' | 'file' | 'E0401';

/** The numbers one BAN may issue in a period: one range of one track. */
export interface Allocation {
  /** The BAN that may issue these numbers. */
  ban: string;
  /** For a head office's allotment to a branch (E0401): the head office; null for the platform's allocation. */
  headBan: string | null;
  /** ROC year and the period's even month, e.g. `11510`. */
  period: string;
  /** `07` (general tax) or `08` (special tax). */
  invoiceType: string;
  /** The two letters, e.g. `AB`. */
  track: string;
  begin: number;
  end: number;
  booklets: number;
}

export interface StoredAllocation extends Allocation {
  id: number;
  source: AllocationSource;
  sourceRef: string;
  messageId: number | null;
  recordedAt: number;
}

/** What recording a list of allocations did. */
export interface AllocationOutcome {
  added: Allocation[];
  /** Already recorded, the same in every field: nothing to do. */
  known: Allocation[];
  /** Each one overlapping a different recorded range of the same period and track. */
  conflicts: Array<{ allocation: Allocation; with: StoredAllocation }>;
}

/** An E0401 the platform refused (or intake did) gave nothing: its allotments do not count. */
const STANDING = `(message_id IS NULL OR (SELECT state FROM messages m WHERE m.id = message_id) NOT IN ('rejected', 'invalid'))`;

/** Allotments read back from a number: more than one only where rows no longer standing (or another invoice type's) sit between. */
const LOOKBACK = 16;

const COLUMNS = `id, ban, head_ban AS headBan, period, invoice_type AS invoiceType, track, begin_no AS begin, end_no AS end, booklets,
  source, source_ref AS sourceRef, message_id AS messageId, recorded_at AS recordedAt`;

/**
 * The allocations the store knows. Recording is all or nothing: a list with one range that
 * overlaps a different recorded one (another BAN, other bounds) records none, so that a mistyped
 * list never half-replaces what is known. An allotment (E0401) lies inside its head office's
 * range by nature: it conflicts only with other allotments.
 */
export class TrackAllocations {
  private readonly insert: Statement;
  private readonly ofPeriod: Statement;
  private readonly ofBanPeriod: Statement;
  private readonly ownOf: Statement;
  private readonly allottedByHeadAt: Statement;
  private readonly ownOverlapping: Statement;
  private readonly allottedWithin: Statement;
  private readonly allottedBefore: Statement;
  private readonly periods: Statement;
  private readonly byMessage: Statement;
  private readonly dropMessage: Statement;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(`
      INSERT INTO track_allocations (ban, head_ban, period, invoice_type, track, begin_no, end_no, booklets, source, source_ref,
        message_id, recorded_at)
      VALUES (@ban, @headBan, @period, @invoiceType, @track, @begin, @end, @booklets, @source, @sourceRef, @messageId, @at)`);
    this.ofPeriod = db.prepare(`SELECT ${COLUMNS} FROM track_allocations WHERE period = ? AND ${STANDING} ORDER BY ban, track, begin_no`);
    this.ofBanPeriod = db.prepare(`
      SELECT ${COLUMNS} FROM track_allocations WHERE period = @period AND ban = @ban AND ${STANDING}
      UNION ALL
      SELECT ${COLUMNS} FROM track_allocations WHERE period = @period AND head_ban = @ban AND ban <> @ban AND ${STANDING}
      ORDER BY track, begin_no`);
    // Lookups around one number or range (migration 10's indexes): allotments never share a number, so the one
    // holding a number is among the last few that start at or before it; a few more are read for rows not standing.
    this.ownOf = db.prepare(`SELECT ${COLUMNS} FROM track_allocations WHERE period = @period AND ban = @ban AND ${STANDING}`);
    this.allottedByHeadAt = db.prepare(`
      SELECT ${COLUMNS} FROM track_allocations
       WHERE head_ban = @ban AND head_ban IS NOT NULL AND period = @period AND track = @track AND begin_no <= @n AND ban <> @ban
         AND ${STANDING}
       ORDER BY begin_no DESC LIMIT ${LOOKBACK}`);
    this.ownOverlapping = db.prepare(`
      SELECT ${COLUMNS}, ${STANDING} AS standing FROM track_allocations
       WHERE period = @period AND track = @track AND head_ban IS NULL AND begin_no <= @end AND end_no >= @begin`);
    this.allottedWithin = db.prepare(`
      SELECT ${COLUMNS}, ${STANDING} AS standing FROM track_allocations
       WHERE period = @period AND track = @track AND head_ban IS NOT NULL AND begin_no BETWEEN @begin AND @end`);
    this.allottedBefore = db.prepare(`
      SELECT ${COLUMNS}, ${STANDING} AS standing FROM track_allocations
       WHERE period = @period AND track = @track AND head_ban IS NOT NULL AND begin_no < @begin
       ORDER BY begin_no DESC LIMIT ${LOOKBACK}`);
    this.periods = db.prepare('SELECT DISTINCT period FROM track_allocations ORDER BY period');
    this.byMessage = db.prepare(`SELECT ${COLUMNS} FROM track_allocations WHERE message_id = ?`);
    this.dropMessage = db.prepare('DELETE FROM track_allocations WHERE message_id = ?');
  }

  /** Records what is new; changes nothing when any range conflicts. Run inside the caller's transaction or alone. */
  record(
    allocations: readonly Allocation[],
    source: { source: AllocationSource; sourceRef: string; messageId?: number | null },
    options: { dryRun?: boolean } = {},
  ): AllocationOutcome {
    return this.db.transaction((): AllocationOutcome => {
      const outcome: AllocationOutcome = { added: [], known: [], conflicts: [] };
      for (const a of allocations) {
        const found = this.overlappingRange(a.period, a.track, a.begin, a.end, 'all');
        const same = found.find((f) => sameRange(f, a));
        if (same) {
          outcome.known.push(a);
          continue;
        }
        // An allotment sits inside its head office's own range; two allotments may not share a number.
        const conflict = found.find((f) => !allottedFrom(a, f) && !allottedFrom(f, a));
        if (conflict) {
          outcome.conflicts.push({ allocation: a, with: conflict });
          continue;
        }
        if (outcome.added.some((b) => sameRange(b, a))) {
          outcome.known.push(a);
          continue;
        }
        // Two rows of the same list may conflict too (a typo, or one range under two invoice types).
        const earlier = outcome.added.find(
          (b) =>
            b.period === a.period &&
            b.track === a.track &&
            b.begin <= a.end &&
            a.begin <= b.end &&
            !allottedFrom(a, b) &&
            !allottedFrom(b, a),
        );
        if (earlier)
          outcome.conflicts.push({
            allocation: a,
            with: {
              ...earlier,
              id: 0,
              source: source.source,
              sourceRef: `${source.sourceRef} (the same file)`,
              messageId: null,
              recordedAt: this.now(),
            },
          });
        else outcome.added.push(a);
      }
      if (outcome.conflicts.length > 0 || options.dryRun) return outcome;
      const at = this.now();
      for (const a of outcome.added) {
        this.insert.run({ ...a, source: source.source, sourceRef: source.sourceRef, messageId: source.messageId ?? null, at });
      }
      return outcome;
    })();
  }

  /** Every allocation of a period. */
  forPeriod(period: string): StoredAllocation[] {
    return this.ofPeriod.all(period) as StoredAllocation[];
  }

  /** A BAN's allocations of a period, and those it allotted to branches. */
  forBan(ban: string, period: string): StoredAllocation[] {
    return this.ofBanPeriod.all({ ban, period }) as StoredAllocation[];
  }

  /**
   * What the F0401 rules need of `forBan` for one number, read through indexes: the BAN's own
   * allocations of the period, and the allotments it gave branches that hold `number`.
   */
  forBanAt(ban: string, period: string, number: string): StoredAllocation[] {
    const track = number.slice(0, 2);
    const n = Number(number.slice(2));
    const allotted = (this.allottedByHeadAt.all({ ban, period, track, n }) as StoredAllocation[]).filter((a) => a.end >= n);
    return [...(this.ownOf.all({ ban, period }) as StoredAllocation[]), ...allotted];
  }

  /** The allocations of `period` and `track` that share a number with begin..end (`standing` ones only, or all). */
  overlappingRange(period: string, track: string, begin: number, end: number, which: 'standing' | 'all'): StoredAllocation[] {
    const at = { period, track, begin, end };
    const rows = [
      ...(this.ownOverlapping.all(at) as Array<StoredAllocation & { standing: number }>),
      ...(this.allottedWithin.all(at) as Array<StoredAllocation & { standing: number }>),
      ...(this.allottedBefore.all(at) as Array<StoredAllocation & { standing: number }>).filter((a) => a.end >= begin),
    ];
    return rows.filter((r) => which === 'all' || r.standing === 1).map(({ standing: _standing, ...a }) => a);
  }

  knownPeriods(): string[] {
    return this.periods.pluck().all() as string[];
  }

  ofMessage(messageId: number): StoredAllocation[] {
    return this.byMessage.all(messageId) as StoredAllocation[];
  }

  /** Forgets an E0401's allotments (its corrected version brings its own). */
  forgetMessage(messageId: number): number {
    return this.dropMessage.run(messageId).changes;
  }
}

function sameRange(a: Allocation, b: Allocation): boolean {
  return (
    a.ban === b.ban &&
    (a.headBan ?? null) === (b.headBan ?? null) &&
    a.period === b.period &&
    a.invoiceType === b.invoiceType &&
    a.track === b.track &&
    a.begin === b.begin &&
    a.end === b.end
  );
}

/** Whether `allotment` is a head office's allotment cut from `allocation` (the platform's, to that head office). */
function allottedFrom(allotment: Allocation, allocation: Allocation): boolean {
  return allotment.headBan !== null && allocation.headBan === null && allocation.ban === allotment.headBan;
}
