import { scheduleFailpoint } from './scheduleFailpoints.js';
import type { Logger } from 'pino';
import type { MaintenanceWindow, MaintenanceWindows } from '../store/MaintenanceWindows.js';
import type { SendingState } from '../store/SendingState.js';
import { toTaiwanIso } from '../time/taiwanTime.js';

export interface GateSettings {
  /** Sending stops this long before an announced window. */
  marginBeforeMs: number;
  /** And resumes this long after it. */
  marginAfterMs: number;
  /** Plus a random delay up to this long. */
  resumeJitterMs: number;
  /** While the platform says it is in maintenance without an end: one attempt this often. */
  probeMs: number;
}

/** What the sending side may do now. */
export type GateView =
  | { state: 'sending' }
  | { state: 'paused'; window: MaintenanceWindow; until: number | null; probe: boolean }
  | { state: 'resuming'; resumeAt: number };

/** How often the announcements may be read again to explain a refused login. */
const RECHECK_MS = 60_000;

/**
 * Whether the daemon may talk to the platform, from the maintenance windows in the store: inside
 * one (announced, with margins, or the platform's own word) nothing is uploaded or notified and no
 * result is polled, so no attempt is made and no budget spent; at its end sending waits a short
 * random delay (so that merchants do not all come back at once), then resumes. It owns the
 * sending state's moves; each pause and resume is logged and kept in the store with its reason.
 */
export class SendingGate {
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  private lastRecheckAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windows: MaintenanceWindows,
    private readonly state: SendingState,
    private readonly settings: GateSettings,
    private readonly logger: Logger,
    /** Reads the announcement feeds again now (a refused login may be a window they announce). */
    private readonly refreshAnnouncements: () => Promise<void> = async () => {},
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Moves the sending state along the windows and says what may be done now. Called on every tick. */
  update(): GateView {
    const at = this.now();
    const active = this.activeWindow(at);
    let snapshot = this.state.read();
    if (active) {
      if (snapshot.state !== 'paused') {
        const until = this.effectiveEnd(active);
        const end = until === null ? 'the platform answers again' : toTaiwanIso(new Date(until));
        const detail = `${describeWindow(active)}; nothing is sent until ${end}`;
        this.state.pause(snapshot.state, active.id, active.reason, detail);
        scheduleFailpoint('after-pause');
        this.logger.warn(
          { event: 'sending-paused', window: active.id, origin: active.origin, reason: active.reason, until: until && new Date(until) },
          `sending paused: ${active.reason}`,
        );
      }
      // Only the platform's own window without an end is probed, and never inside an announced one.
      const probe = active.endsAt === null && !this.announcedWindowAt(at) && at - this.lastProbeAt >= this.settings.probeMs;
      return { state: 'paused', window: active, until: this.effectiveEnd(active), probe };
    }
    if (snapshot.state === 'paused') {
      const resumeAt = at + Math.round(this.random() * this.settings.resumeJitterMs);
      snapshot = this.state.resumeAt(
        snapshot.windowId,
        snapshot.reason,
        resumeAt,
        `the window is over; sending resumes at ${toTaiwanIso(new Date(resumeAt))}`,
      );
      this.logger.info(
        { event: 'sending-resuming', resumeAt: new Date(resumeAt), reason: snapshot.reason },
        'the maintenance window is over',
      );
    }
    if (snapshot.state === 'resuming') {
      if (at < snapshot.resumeAt!) return { state: 'resuming', resumeAt: snapshot.resumeAt! };
      this.state.resume('sending again; the backlog goes first, then results are collected');
      scheduleFailpoint('after-resume');
      this.logger.info({ event: 'sending-resumed', reason: snapshot.reason }, 'sending resumed after maintenance');
    }
    return { state: 'sending' };
  }

  /** The one attempt let through while the platform's own window lasts has started. */
  probeStarted(): void {
    this.lastProbeAt = this.now();
  }

  /**
   * When an attempt planned for `at` may be made: moved past every announced window it would fall
   * in (with the margins, and a random part of the resume delay), so no retry is wasted inside one.
   */
  defer(at: number): number {
    const announced = this.windows.notOver(at - this.settings.marginAfterMs).filter((w) => w.origin !== 'platform');
    let moved = at;
    for (let changed = true; changed;) {
      changed = false;
      for (const w of announced) {
        if (w.endsAt === null) continue;
        if (w.startsAt - this.settings.marginBeforeMs <= moved && moved < w.endsAt + this.settings.marginAfterMs) {
          moved = w.endsAt + this.settings.marginAfterMs + Math.round(this.random() * this.settings.resumeJitterMs);
          changed = true;
        }
      }
    }
    return moved;
  }

  /**
   * The platform says it is in maintenance (a 503 with its notice): a window of its own, ending
   * when the notice says or, without an end, when the platform answers again.
   */
  platformInMaintenance(notice: { endsAt: number | null; reason: string }, source: string): MaintenanceWindow {
    const at = this.now();
    this.lastProbeAt = at;
    // The platform saying it again (every probe) is the same window, not a new one.
    const open = this.windows.notOver(at).find((w) => w.origin === 'platform' && w.startsAt <= at);
    if (open) return open;
    return this.windows.add('platform', source, {
      startsAt: at,
      endsAt: notice.endsAt !== null && notice.endsAt > at ? notice.endsAt : null,
      reason: notice.reason,
    });
  }

  /** The platform answered: a window of its own is over. */
  platformAnswered(): void {
    if (this.windows.closePlatformWindows() > 0) this.logger.info({ event: 'platform-window-ended' }, 'the platform answers again');
  }

  /**
   * Whether a window is in force now, reading the announcements again first (at most once a
   * minute): a login the platform refuses during a window it announced is the window, not a
   * refused password.
   */
  async explainedByWindow(): Promise<MaintenanceWindow | null> {
    const at = this.now();
    if (at - this.lastRecheckAt >= RECHECK_MS) {
      this.lastRecheckAt = at;
      try {
        await this.refreshAnnouncements();
      } catch (err) {
        this.logger.debug({ event: 'announcements-recheck-failed', err }, 'could not read the announcements again');
      }
    }
    return this.activeWindow(this.now());
  }

  /** The window in force at `at` (announced ones with their margins), the one ending last when several are. */
  activeWindow(at: number): MaintenanceWindow | null {
    let active: MaintenanceWindow | null = null;
    for (const w of this.inForce(at)) {
      if (!active || (this.effectiveEnd(w) ?? Infinity) > (this.effectiveEnd(active) ?? Infinity)) active = w;
    }
    return active;
  }

  private announcedWindowAt(at: number): boolean {
    return this.inForce(at).some((w) => w.origin !== 'platform');
  }

  /** The windows that stop sending at `at`: announced ones from their margin before to their margin after. */
  private inForce(at: number): MaintenanceWindow[] {
    return this.windows.notOver(at - this.settings.marginAfterMs).filter((w) => {
      const before = w.origin === 'platform' ? 0 : this.settings.marginBeforeMs;
      return w.startsAt - before <= at && at < (this.effectiveEnd(w) ?? Infinity);
    });
  }

  /** When a window stops sending no more: its end plus the margin (the platform's own windows have none). */
  private effectiveEnd(w: MaintenanceWindow): number | null {
    if (w.endsAt === null) return null;
    return w.origin === 'platform' ? w.endsAt : w.endsAt + this.settings.marginAfterMs;
  }
}

export function describeWindow(w: MaintenanceWindow): string {
  const end = w.endsAt === null ? 'until the platform answers again' : toTaiwanIso(new Date(w.endsAt));
  return `window #${w.id} (${w.origin}) ${toTaiwanIso(new Date(w.startsAt))} → ${end}: ${w.reason}`;
}
