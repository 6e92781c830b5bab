import type { Database, Statement } from 'better-sqlite3';

export interface ReceivedFile {
  id: number;
  remoteName: string;
  kind: string;
  size: number;
  sha256: string;
  localPath: string;
  receivedAt: number;
  appliedAt: number | null;
  packId: number | null;
  problem: string | null;
}

const COLUMNS = `id, remote_name AS remoteName, kind, size, sha256, local_path AS localPath, received_at AS receivedAt,
  applied_at AS appliedAt, pack_id AS packId, problem`;

/** The record of files taken from the platform's out/ folder, and whether each was applied. */
export class ReceivedFiles {
  private readonly byName: Statement;
  private readonly insert: Statement;
  private readonly applied: Statement;
  private readonly pending: Statement;
  private readonly ofPack: Statement;
  private readonly problems: Statement;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.byName = db.prepare(`SELECT ${COLUMNS} FROM received_files WHERE remote_name = ?`);
    this.insert = db.prepare(`
      INSERT INTO received_files (remote_name, kind, size, sha256, local_path, received_at)
      VALUES (@remoteName, @kind, @size, @sha256, @localPath, @at) ON CONFLICT (remote_name) DO NOTHING`);
    this.applied = db.prepare('UPDATE received_files SET applied_at = @at, pack_id = @packId, problem = @problem WHERE id = @id');
    this.pending = db.prepare(`SELECT ${COLUMNS} FROM received_files WHERE applied_at IS NULL ORDER BY
      CASE kind WHEN 'ProcessResult' THEN 0 WHEN 'SummaryResult' THEN 1 ELSE 2 END, id`);
    this.ofPack = db.prepare(`SELECT ${COLUMNS} FROM received_files WHERE pack_id = ? AND kind = ? ORDER BY id`);
    this.problems = db.prepare(`SELECT ${COLUMNS} FROM received_files WHERE problem IS NOT NULL ORDER BY id DESC LIMIT ?`);
  }

  find(remoteName: string): ReceivedFile | undefined {
    return this.byName.get(remoteName) as ReceivedFile | undefined;
  }

  record(file: { remoteName: string; kind: string; size: number; sha256: string; localPath: string }): void {
    this.insert.run({ ...file, at: this.now() });
  }

  /** Marks a file applied; call inside the transaction that applied it. */
  markApplied(id: number, packId: number | null, problem: string | null = null): void {
    this.applied.run({ id, at: this.now(), packId, problem });
  }

  unapplied(): ReceivedFile[] {
    return this.pending.all() as ReceivedFile[];
  }

  ofPackAndKind(packId: number, kind: string): ReceivedFile[] {
    return this.ofPack.all(packId, kind) as ReceivedFile[];
  }

  withProblems(limit = 20): ReceivedFile[] {
    return this.problems.all(limit) as ReceivedFile[];
  }
}
