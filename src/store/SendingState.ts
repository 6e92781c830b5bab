import type { Database, Statement } from 'better-sqlite3';
import { StoreError } from './StoreError.js';

export type SendingStateName = 'sending' | 'paused' | 'resuming';

export interface SendingSnapshot {
  state: SendingStateName;
  /** The window that paused sending (paused, resuming). */
  windowId: number | null;
  reason: string | null;
  since: number;
  /** Resuming: when sending starts again. */
  resumeAt: number | null;
}

/** The moves the sending state allows: a window pauses, its end starts a short wait, the wait's end resumes. */
const ALLOWED: Record<SendingStateName, readonly SendingStateName[]> = {
  sending: ['paused'],
  paused: ['resuming'],
  resuming: ['paused', 'sending'],
};

/**
 * Whether the daemon may talk to the platform now: one row, changed only here, each change one
 * transaction naming the state it expects and leaving an event (`sending_events`) with the reason.
 * Kept in the store so that a restart inside a window neither pauses twice nor forgets the wait.
 */
export class SendingState {
  private readonly select: Statement;
  private readonly update: Statement;
  private readonly event: Statement;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.select = db.prepare('SELECT state, window_id AS windowId, reason, since, resume_at AS resumeAt FROM sending_state WHERE id = 1');
    this.update = db.prepare(`
      UPDATE sending_state SET state = @to, window_id = @windowId, reason = @reason, since = @at, resume_at = @resumeAt
       WHERE id = 1 AND state = @from`);
    this.event = db.prepare('INSERT INTO sending_events (at, kind, window_id, reason, detail) VALUES (?, ?, ?, ?, ?)');
  }

  read(): SendingSnapshot {
    return this.select.get() as SendingSnapshot;
  }

  /** A window began (or another one while resuming): nothing is sent until it ends. */
  pause(from: 'sending' | 'resuming', windowId: number, reason: string, detail: string): SendingSnapshot {
    return this.move(from, 'paused', { windowId, reason, resumeAt: null }, 'paused', detail);
  }

  /** The window ended: sending starts again at `resumeAt` (a little later, spread). */
  resumeAt(windowId: number | null, reason: string | null, resumeAt: number, detail: string): SendingSnapshot {
    return this.move('paused', 'resuming', { windowId, reason, resumeAt }, 'window-over', detail);
  }

  /** Sending again. */
  resume(detail: string): SendingSnapshot {
    const { windowId, reason } = this.read();
    return this.move('resuming', 'sending', { windowId: null, reason: null, resumeAt: null }, 'resumed', detail, windowId, reason);
  }

  private move(
    from: SendingStateName,
    to: SendingStateName,
    values: { windowId: number | null; reason: string | null; resumeAt: number | null },
    kind: string,
    detail: string,
    eventWindow: number | null = values.windowId,
    eventReason: string | null = values.reason,
  ): SendingSnapshot {
    if (!ALLOWED[from].includes(to)) throw new StoreError('transition-conflict', `sending cannot move from ${from} to ${to}`);
    return this.db
      .transaction(() => {
        const at = this.now();
        if (this.update.run({ from, to, at, ...values }).changes !== 1) {
          throw new StoreError('transition-conflict', `sending is not ${from} (it is ${this.read().state}); it cannot become ${to}`);
        }
        this.event.run(at, kind, eventWindow, eventReason, detail);
        return this.read();
      })
      .immediate();
  }
}
