import type { Database } from 'better-sqlite3';
import type { TurnkeyConfig } from '../../config/types.js';
import { CircuitBreaker, type BreakerSnapshot } from '../../outbound/CircuitBreaker.js';
import { OutboundQueries } from '../../store/OutboundQueries.js';
import { ReceivedFiles } from '../../store/ReceivedFiles.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';

export interface StuckPack {
  pack: string;
  messageType: string;
  messages: number;
  waitingMinutes: number;
  likelyCause: string;
}

export interface OutboundStatus {
  mode: 'sandbox' | 'remote' | null;
  breaker: BreakerSnapshot & { retryAtIso: string | null };
  packsByState: Record<string, number>;
  /** Packs the platform has (or may have) for longer than outbound.stuckUploadedMinutes without a result. */
  stuck: StuckPack[];
  /** Result files that could not be applied (unknown pack, invalid, conflicting copy). */
  resultProblems: Array<{ file: string; problem: string }>;
}

/** The sending side's state, read from the store: circuit breaker, packs, the "stuck in G" list. */
export function readOutboundStatus(db: Database, config: TurnkeyConfig, now: number): OutboundStatus | null {
  if ((db.pragma('user_version', { simple: true }) as number) < 2) return null;
  const breaker = new CircuitBreaker(db).snapshot();
  const packsByState = Object.fromEntries(
    (db.prepare('SELECT state, count(*) AS n FROM packs GROUP BY state').all() as Array<{ state: string; n: number }>).map((r) => [
      r.state,
      r.n,
    ]),
  );
  const stuckAfter = config.outbound.stuckUploadedMinutes * 60_000;
  const stuck = new OutboundQueries(db).packsWaitingSince(now - stuckAfter).map((p) => ({
    pack: p.commonName,
    messageType: p.messageType,
    messages: p.messageCount,
    waitingMinutes: p.notifiedAt === null ? -1 : Math.round((now - p.notifiedAt) / 60_000),
    likelyCause:
      p.notifiedAt === null
        ? "the notification's outcome is unknown and no result has come: the daemon keeps re-notifying; check the gateway and the " +
          "platform's announcements"
        : 'no result yet: either the platform is slow (it queues packs at peak times), or results are not being collected; check that ' +
          'the daemon runs and can log in by SFTP (result polling errors are logged as result-poll-failed)',
  }));
  const resultProblems = new ReceivedFiles(db).withProblems(10).map((f) => ({ file: f.remoteName, problem: f.problem ?? '' }));
  return {
    mode: config.platform?.mode ?? null,
    breaker: { ...breaker, retryAtIso: breaker.retryAt === null ? null : toTaiwanIso(new Date(breaker.retryAt)) },
    packsByState,
    stuck,
    resultProblems,
  };
}

export function formatOutboundStatus(status: OutboundStatus | null): string[] {
  if (!status) return [];
  const lines = ['', `platform: ${status.mode ?? 'none configured (nothing is sent)'}`];
  const b = status.breaker;
  if (b.state === 'closed')
    lines.push(`sending: normal (circuit closed${b.consecutiveFailures ? `, ${b.consecutiveFailures} failure(s) in a row` : ''})`);
  else
    lines.push(
      `sending: PAUSED - circuit ${b.state} after ${b.consecutiveFailures} failures in a row (last: ${b.lastErrorCode}); next probe at ` +
        `${b.retryAtIso}`,
    );
  const packs = Object.entries(status.packsByState)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  lines.push(`packs: ${packs || 'none yet'}`);
  for (const s of status.stuck)
    lines.push(`STUCK: ${s.pack} (${s.messages} ${s.messageType}) waiting ${s.waitingMinutes} min for a result: ${s.likelyCause}`);
  for (const p of status.resultProblems) lines.push(`result problem: ${p.file}: ${p.problem}`);
  return lines;
}
