import type { Database, Statement } from 'better-sqlite3';

/** One E0402 message of a period: whose numbers, and in which file. */
export interface NewBlankReport {
  period: string;
  headBan: string;
  branchBan: string;
  invoiceType: string;
  track: string;
  part: number;
  ranges: number;
  numbers: number;
  fileName: string;
  /** The E0402's INVOICE_IDENTIFIER (`E0402` + track + first number + period). */
  messageKey: string;
  xml: string;
}

export interface BlankReportRow extends Omit<NewBlankReport, 'xml'> {
  id: number;
  generation: number;
  state: 'planned' | 'dropped';
  trigger: 'auto' | 'cli';
  createdAt: number;
  droppedAt: number | null;
}

const COLUMNS = `id, period, head_ban AS headBan, branch_ban AS branchBan, invoice_type AS invoiceType, track, part, generation, ranges,
  numbers, file_name AS fileName, message_key AS messageKey, state, trigger, created_at AS createdAt, dropped_at AS droppedAt`;

/**
 * The E0402 reports generated. A report is recorded (`planned`, its XML kept) before its file is
 * written, and `dropped` once the file is durably in SRC: a crash in between writes the same bytes
 * again, which intake takes once.
 */
export class BlankReports {
  private readonly insert: Statement;
  private readonly ofPeriodStmt: Statement;
  private readonly latestGeneration: Statement;
  private readonly latestOfGroup: Statement;
  private readonly plannedStmt: Statement;
  private readonly isPlannedStmt: Statement;
  private readonly markDropped: Statement;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(`
      INSERT INTO blank_reports (period, head_ban, branch_ban, invoice_type, track, part, generation, ranges, numbers, file_name,
        message_key, xml, state, trigger, created_at)
      VALUES (@period, @headBan, @branchBan, @invoiceType, @track, @part, @generation, @ranges, @numbers, @fileName, @messageKey, @xml,
        'planned', @trigger, @at)`);
    this.ofPeriodStmt = db.prepare(`SELECT ${COLUMNS} FROM blank_reports WHERE period = ? ORDER BY id`);
    this.latestOfGroup = db.prepare(`
      SELECT ${COLUMNS} FROM blank_reports WHERE period = ? AND head_ban = ? AND branch_ban = ? AND invoice_type = ? AND track = ?
       ORDER BY generation DESC, part`);
    this.latestGeneration = db.prepare(`
      SELECT max(generation) FROM blank_reports WHERE period = ? AND head_ban = ? AND branch_ban = ? AND invoice_type = ? AND track = ?`);
    this.plannedStmt = db.prepare(`SELECT ${COLUMNS}, xml FROM blank_reports WHERE state = 'planned' ORDER BY id`);
    this.isPlannedStmt = db.prepare(`SELECT 1 FROM blank_reports WHERE id = ? AND state = 'planned'`);
    this.markDropped = db.prepare(`UPDATE blank_reports SET state = 'dropped', dropped_at = ? WHERE id = ? AND state = 'planned'`);
  }

  ofPeriod(period: string): BlankReportRow[] {
    return this.ofPeriodStmt.all(period) as BlankReportRow[];
  }

  /** The generation a group's report has (0: never reported). */
  generationOf(r: Pick<NewBlankReport, 'period' | 'headBan' | 'branchBan' | 'invoiceType' | 'track'>): number {
    return (this.latestGeneration.pluck().get(r.period, r.headBan, r.branchBan, r.invoiceType, r.track) as number | null) ?? 0;
  }

  /** The reports of a group's latest generation (empty: never reported). */
  latestOf(r: Pick<NewBlankReport, 'period' | 'headBan' | 'branchBan' | 'invoiceType' | 'track'>): BlankReportRow[] {
    const rows = this.latestOfGroup.all(r.period, r.headBan, r.branchBan, r.invoiceType, r.track) as BlankReportRow[];
    return rows.filter((row) => row.generation === rows[0]!.generation);
  }

  /** Records reports as `planned`, in one transaction; each with the generation given. */
  plan(reports: ReadonlyArray<NewBlankReport & { generation: number }>, trigger: 'auto' | 'cli'): void {
    const at = this.now();
    this.db.transaction(() => {
      for (const r of reports) this.insert.run({ ...r, trigger, at });
    })();
  }

  planned(): Array<BlankReportRow & { xml: string }> {
    return this.plannedStmt.all() as Array<BlankReportRow & { xml: string }>;
  }

  /** Whether a report is still waiting to be written (another process may have written it meanwhile). */
  isPlanned(id: number): boolean {
    return this.isPlannedStmt.get(id) !== undefined;
  }

  dropped(id: number): boolean {
    return this.markDropped.run(this.now(), id).changes === 1;
  }
}
