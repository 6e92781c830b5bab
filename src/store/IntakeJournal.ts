import type { Database, Statement } from 'better-sqlite3';

export type IntakeOutcome = 'new' | 'duplicate' | 'invalid';
export type Disposition = 'BAK' | 'ERR';

export interface IntakeFileRecord {
  claimName: string;
  folderType: string;
  originalName: string;
  sha256: string;
  size: number;
  outcome: IntakeOutcome;
  disposition: Disposition;
  /** Relative to the data root, with forward slashes. */
  targetPath: string;
  messageId: number;
}

export interface IntakeFileRow extends IntakeFileRecord {
  id: number;
  recordedAt: number;
  filedAt: number | null;
}

const COLUMNS = `id, claim_name AS claimName, folder_type AS folderType, original_name AS originalName, sha256, size,
  outcome, disposition, target_path AS targetPath, message_id AS messageId, recorded_at AS recordedAt, filed_at AS filedAt`;

/**
 * The intake's journal: one row per claimed file, written in the same transaction as its message,
 * saying where the file must go. `filed_at` is set once the file is there, so a row with no
 * `filed_at` after a crash is exactly a move still to be done.
 */
export class IntakeJournal {
  private readonly insert: Statement;
  private readonly markFiledStmt: Statement;
  private readonly retargetStmt: Statement;
  private readonly byClaim: Statement;
  private readonly unfiledStmt: Statement;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(`
      INSERT INTO intake_files (claim_name, folder_type, original_name, sha256, size, outcome, disposition, target_path,
        message_id, recorded_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.markFiledStmt = db.prepare('UPDATE intake_files SET filed_at = ? WHERE id = ? AND filed_at IS NULL');
    this.retargetStmt = db.prepare('UPDATE intake_files SET target_path = ? WHERE id = ? AND filed_at IS NULL');
    this.byClaim = db.prepare(`SELECT ${COLUMNS} FROM intake_files WHERE claim_name = ?`);
    this.unfiledStmt = db.prepare(`SELECT ${COLUMNS} FROM intake_files WHERE filed_at IS NULL AND id > ? ORDER BY id LIMIT ?`);
  }

  record(file: IntakeFileRecord): number {
    // Positional: one row per file in a burst, and binding by name costs more than the row.
    const { claimName, folderType, originalName, sha256, size, outcome, disposition, targetPath, messageId } = file;
    return Number(
      this.insert.run(claimName, folderType, originalName, sha256, size, outcome, disposition, targetPath, messageId, this.now())
        .lastInsertRowid,
    );
  }

  /** True when the row was still unfiled (repeating it after a crash changes nothing). */
  markFiled(id: number): boolean {
    return this.markFiledStmt.run(this.now(), id).changes === 1;
  }

  retarget(id: number, targetPath: string): void {
    this.retargetStmt.run(targetPath, id);
  }

  findByClaim(claimName: string): IntakeFileRow | undefined {
    return this.byClaim.get(claimName) as IntakeFileRow | undefined;
  }

  /** Rows whose file is not yet confirmed at its target, oldest first, in pages. */
  unfiled(afterId: number, limit: number): IntakeFileRow[] {
    return this.unfiledStmt.all(afterId, limit) as IntakeFileRow[];
  }
}
