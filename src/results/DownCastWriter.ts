import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import { writeFileDurably } from '../fs/writeFileDurably.js';
import { fsyncDir } from '../fs/fsyncDir.js';
import { TURNKEY_STATUS } from '../store/states.js';
import type { MessageState } from '../store/states.js';

interface FinalMessage {
  id: number;
  uuid: string;
  messageType: string;
  category: string;
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

/**
 * Tells the ERP each message's verdict: one JSON file per final message in
 * `DownCast/<CATEGORY>/<MIG>/<yyyyMMdd>/<INVOICE_IDENTIFIER>.json`, written whole (temp, fsync,
 * rename, folder fsync) before the message is marked as told, so a crash only ever rewrites a file.
 */
export class DownCastWriter {
  private readonly pending: Statement;
  private readonly markDone: Statement;

  constructor(
    private readonly db: Database,
    private readonly root: string,
    private readonly batchSize = 500,
    private readonly now: () => number = Date.now,
  ) {
    this.pending = db.prepare(`
      SELECT m.id, m.uuid, m.message_type AS messageType, m.category, m.message_key AS messageKey,
             m.invoice_number AS invoiceNumber, m.invoice_date AS invoiceDate, m.source_name AS sourceName, m.state,
             m.error_code AS errorCode, m.error_text AS errorText, m.final_at AS finalAt,
             (SELECT p.common_name FROM pack_messages pm JOIN packs p ON p.id = pm.pack_id
               WHERE pm.message_id = m.id ORDER BY p.id DESC LIMIT 1) AS commonName
        FROM messages m WHERE m.downcast_at IS NULL AND m.state IN ('confirmed', 'rejected') ORDER BY m.id LIMIT ?`);
    this.markDone = db.prepare('UPDATE messages SET downcast_at = ? WHERE id = ?');
  }

  /** Writes the files of up to one batch of newly final messages; returns how many. */
  writePending(): number {
    const messages = this.pending.all(this.batchSize) as FinalMessage[];
    if (messages.length === 0) return 0;
    const folders = new Set<string>();
    for (const m of messages) folders.add(this.write(m));
    for (const folder of folders) fsyncDir(folder);
    const at = this.now();
    this.db.transaction(() => {
      for (const m of messages) this.markDone.run(at, m.id);
    }).immediate();
    return messages.length;
  }

  private write(m: FinalMessage): string {
    const day = taiwanDay(m.finalAt);
    const folder = join(this.root, 'DownCast', m.category, m.messageType, day);
    mkdirSync(folder, { recursive: true });
    const name = `${m.messageKey ?? m.uuid}.json`;
    const body = Buffer.from(
      `${JSON.stringify(
        {
          invoiceIdentifier: m.messageKey,
          messageType: m.messageType,
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
        },
        null,
        2,
      )}\n`,
    );
    // Each folder is fsynced once per batch, by writePending.
    writeFileDurably(folder, name, body, { syncFolder: false });
    return folder;
  }
}

function taiwanDay(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}
