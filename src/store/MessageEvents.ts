import type { Database, Statement } from 'better-sqlite3';

/** Things that happen to a message without changing its state. */
export type MessageEventKind =
  /** The same message (same key, same bytes) was dropped again; the copy went to BAK. */
  | 'duplicate'
  /** Another file with this message's key but other content was refused (it went to ERR). */
  | 'duplicate-conflict'
  /** A recorded file was no longer in WORK nor at its target when intake came to move it. */
  | 'file-missing'
  /** A file was filed under another name than planned because the planned one was taken. */
  | 'file-retargeted'
  /** Retention removed the kept bytes of a final message. */
  | 'bytes-pruned'
  /** A corrected version of this message was received (the detail names it); this one gave up its key. */
  | 'superseded'
  /** This message corrects an earlier version with the same key (the detail names it). */
  | 'supersedes'
  /** An operator acknowledged its rejection or failure (`turnkey ack`). */
  | 'acknowledged'
  /** An operator put it back in line (`turnkey retry`). */
  | 'retried'
  /** An operator had it sent again as a new version (`turnkey resend`, `turnkey retry` after E0004). */
  | 'resent';

/** Appends history events other than state changes (those are written by MessageTransitions). */
export class MessageEvents {
  private readonly insert: Statement;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(`
      INSERT INTO message_events (message_id, at, kind, from_state, to_state, code, detail)
      VALUES (?, ?, ?, NULL, NULL, ?, ?)`);
  }

  append(messageId: number, kind: MessageEventKind, options: { code?: string | null; detail?: string | null } = {}): void {
    this.insert.run(messageId, this.now(), kind, options.code ?? null, options.detail ?? null);
  }
}
