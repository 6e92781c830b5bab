import { basename, dirname, join } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import { mkdirDurably } from '../fs/fsyncDir.js';
import { removeStaleTemps, writeFileDurably } from '../fs/writeFileDurably.js';
import { TURNKEY_STATUS } from '../store/states.js';
import { taiwanDay, taiwanStamp } from '../time/taiwanTime.js';
import type { MessageState } from '../store/states.js';

interface PendingMessage {
  id: number;
  category: string;
  messageType: string;
  finalAt: number;
}

interface UnwrittenFile {
  id: number;
  path: string;
  category: string;
  messageType: string;
}

interface FinalMessage {
  uuid: string;
  messageKey: string | null;
  invoiceNumber: string | null;
  invoiceDate: string | null;
  sourceName: string;
  state: MessageState;
  errorCode: string | null;
  errorText: string | null;
  finalAt: number;
  commonName: string | null;
}

/** One result of a DownCast file, as the ERP reads it. */
interface DownCastResult {
  invoiceIdentifier: string | null;
  number: string | null;
  date: string | null;
  /** Turnkey's status letter: C confirmed, E rejected. */
  status: string;
  verdict: MessageState;
  code: string | null;
  text: string | null;
  /** The common name of the pack the platform judged. */
  pack: string | null;
  sourceFile: string;
  uuid: string;
  at: string;
}

/** A DownCast file: every result in it is of one category and message type. */
export interface DownCastFile {
  category: string;
  messageType: string;
  count: number;
  results: DownCastResult[];
}

/**
 * Tells the ERP each message's verdict. Newly final messages are gathered into result files, at most
 * `maxPerFile` each, one message type and Taiwan day per file:
 * `DownCast/<CATEGORY>/<MIG>/<yyyyMMdd>/<yyyyMMddHHmmssSSS>-<first message id>.json`. A file is a row
 * first, with its messages assigned in the same transaction; then it is written whole (temp, fsync,
 * rename, folder fsync) and only then marked written. A crash in between writes the same file, with
 * the same content, again. One fsync per file rather than per message keeps up with the platform's
 * pace (an fsync costs about half a millisecond of CPU on a typical virtual disk).
 */
export class DownCastWriter {
  private readonly pending: Statement;
  private readonly insertFile: Statement;
  private readonly assignMessage: Statement;
  private readonly unwritten: Statement;
  private readonly members: Statement;
  private readonly markFileWritten: Statement;
  private readonly markMessagesTold: Statement;
  private readonly cleaned = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly root: string,
    private readonly maxPerFile = 1000,
    private readonly now: () => number = Date.now,
  ) {
    this.pending = db.prepare(`
      SELECT id, category, message_type AS messageType, final_at AS finalAt
        FROM messages
       WHERE downcast_at IS NULL AND downcast_file IS NULL AND state IN ('confirmed', 'rejected')
       ORDER BY id LIMIT ?`);
    this.insertFile = db.prepare('INSERT INTO downcast_files (path, category, message_type, created_at) VALUES (?, ?, ?, ?)');
    this.assignMessage = db.prepare('UPDATE messages SET downcast_file = ? WHERE id = ? AND downcast_file IS NULL');
    this.unwritten = db.prepare(
      'SELECT id, path, category, message_type AS messageType FROM downcast_files WHERE written_at IS NULL ORDER BY id',
    );
    this.members = db.prepare(`
      SELECT m.uuid, m.message_key AS messageKey, m.invoice_number AS invoiceNumber, m.invoice_date AS invoiceDate,
             m.source_name AS sourceName, m.state, m.error_code AS errorCode, m.error_text AS errorText, m.final_at AS finalAt,
             (SELECT p.common_name FROM pack_messages pm JOIN packs p ON p.id = pm.pack_id
               WHERE pm.message_id = m.id ORDER BY p.id DESC LIMIT 1) AS commonName
        FROM messages m WHERE m.downcast_file = ? ORDER BY m.id`);
    this.markFileWritten = db.prepare('UPDATE downcast_files SET written_at = ? WHERE id = ? AND written_at IS NULL');
    this.markMessagesTold = db.prepare('UPDATE messages SET downcast_at = ? WHERE downcast_file = ? AND downcast_at IS NULL');
  }

  /**
   * Gathers newly final messages into files and writes every file not yet written; returns the
   * results written. A file that cannot be written (its folder is not writable, the disk is full)
   * stays a row to write and is tried at the next call; the others are written meanwhile, and
   * `failures` tells which folder refused (for the operator).
   */
  writePending(failures?: (folder: string, err: unknown) => void, written?: (folder: string) => void): number {
    this.assign();
    let results = 0;
    for (const file of this.unwritten.all() as UnwrittenFile[]) {
      const folder = file.path.slice(0, file.path.lastIndexOf('/'));
      try {
        results += this.write(file);
      } catch (err) {
        if (!failures) throw err;
        failures(folder, err);
        continue;
      }
      written?.(folder);
    }
    return results;
  }

  private assign(): void {
    const messages = this.pending.all(this.maxPerFile * 4) as PendingMessage[];
    if (messages.length === 0) return;
    const groups = new Map<string, PendingMessage[]>();
    for (const m of messages) {
      const key = `${m.category}/${m.messageType}/${taiwanDay(m.finalAt)}`;
      const group = groups.get(key);
      if (group) group.push(m);
      else groups.set(key, [m]);
    }
    const at = this.now();
    this.db
      .transaction(() => {
        for (const [folder, group] of groups) {
          for (let i = 0; i < group.length; i += this.maxPerFile) {
            const chunk = group.slice(i, i + this.maxPerFile);
            const first = chunk[0]!;
            // The first message's id makes the name unique: a message is in exactly one file.
            const path = `DownCast/${folder}/${taiwanStamp(at)}-${first.id}.json`;
            const fileId = Number(this.insertFile.run(path, first.category, first.messageType, at).lastInsertRowid);
            for (const m of chunk) this.assignMessage.run(fileId, m.id);
          }
        }
      })
      .immediate();
  }

  private write(file: UnwrittenFile): number {
    const members = this.members.all(file.id) as FinalMessage[];
    const body: DownCastFile = {
      category: file.category,
      messageType: file.messageType,
      count: members.length,
      results: members.map(toResult),
    };
    const target = join(this.root, file.path);
    // A new day's folder is made durable before the file in it is recorded as written.
    mkdirDurably(dirname(target));
    // The ERP reads this folder: temporary files left by a process killed mid-write go, once per
    // folder (only earlier processes leave them).
    if (!this.cleaned.has(dirname(target))) {
      removeStaleTemps(dirname(target));
      this.cleaned.add(dirname(target));
    }
    writeFileDurably(dirname(target), basename(target), Buffer.from(`${JSON.stringify(body, null, 1)}\n`));
    const at = this.now();
    this.db
      .transaction(() => {
        this.markFileWritten.run(at, file.id);
        this.markMessagesTold.run(at, file.id);
      })
      .immediate();
    return members.length;
  }
}

function toResult(m: FinalMessage): DownCastResult {
  return {
    invoiceIdentifier: m.messageKey,
    number: m.invoiceNumber,
    date: m.invoiceDate,
    status: TURNKEY_STATUS[m.state],
    verdict: m.state,
    code: m.errorCode,
    text: m.errorText,
    pack: m.commonName,
    sourceFile: m.sourceName,
    uuid: m.uuid,
    at: new Date(m.finalAt).toISOString(),
  };
}
