import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { TurnkeyConfig } from '../config/types.js';
import type { Maintenance } from '../schedule/Maintenance.js';
import type { Scheduler } from '../schedule/Scheduler.js';
import { Deadlines } from '../store/Deadlines.js';
import { MessageQueries } from '../store/MessageQueries.js';
import { Problems } from '../store/Problems.js';
import { Retention } from '../store/Retention.js';
import { taiwanDay, taiwanDayNumber, TAIWAN_OFFSET_MS } from '../time/taiwanTime.js';
import { runTracksJob } from '../tracks/trackJob.js';
import type { TrackBook } from '../tracks/TrackBook.js';
import type { AsyncValidator } from '../validation/types.js';

const DAY_MS = 86_400_000;
/** Certificates expiring within this many days are warned of, every day until replaced. */
export const CERTIFICATE_WARNING_DAYS = 30;
/** Problem code (sending area): a sender's certificate expires soon. */
export const CERTIFICATE_EXPIRING = 'certificate-expiring';

/** A sender's certificate, as the certificate job sees it. */
export interface CertificateFacts {
  partyId: string;
  subject: string;
  notAfter: Date;
}

/**
 * The daemon's wall-clock jobs: read the maintenance feeds, log messages at risk of their legal
 * deadline, a daily summary, retention of old final messages' bytes, WAL checkpoints, warnings
 * of certificates that expire soon, and the tracks (stock, and the last period's unused numbers). Each returns a line for its run's record.
 */
export function scheduleJobs(
  scheduler: Scheduler,
  deps: {
    config: TurnkeyConfig;
    db: Database;
    logger: Logger;
    maintenance: Maintenance;
    /** The senders' certificates (none without a platform). */
    certificates: () => CertificateFacts[];
    tracks: TrackBook;
    validator: AsyncValidator;
    now?: () => number;
  },
): void {
  const { config, db, logger, maintenance } = deps;
  const now = deps.now ?? Date.now;
  const schedules = config.schedules;
  const deadlines = new Deadlines(db);
  const queries = new MessageQueries(db);
  const problems = new Problems(db, 'sending', now);

  scheduler.add('feeds', config.maintenance.feeds.length > 0 ? schedules.feeds : null, () => maintenance.feeds.poll());

  scheduler.add('deadlines', schedules.deadlines, () => {
    const risk = deadlines.atRisk(now(), config.deadlines.atRiskHours * 3600_000);
    if (risk.atRisk === 0) return 'none at risk';
    logger.warn(
      {
        event: 'deadline-at-risk',
        atRisk: risk.atRisk,
        overdue: risk.overdue,
        byType: risk.byType,
        first: risk.first && { ...risk.first, deadline: new Date(risk.first.deadline) },
      },
      `${risk.atRisk} message(s) not yet uploaded are near or past their legal upload deadline`,
    );
    return `${risk.atRisk} at risk, ${risk.overdue} overdue`;
  });

  scheduler.add('dailySummary', schedules.dailySummary, () => {
    // Yesterday in Taiwan time.
    const today = taiwanDayNumber(now()) * DAY_MS - TAIWAN_OFFSET_MS;
    const figures = queries.dayFigures(today - DAY_MS, today);
    const counts = queries.countByTypeAndState();
    const risk = deadlines.atRisk(now(), config.deadlines.atRiskHours * 3600_000);
    const waiting = counts.byState.received + counts.byState.queued + counts.byState.packed;
    logger.info(
      {
        event: 'daily-summary',
        day: taiwanDay(today - DAY_MS),
        received: figures.received,
        final: figures.final,
        waiting,
        uploadedNotConfirmed: counts.byState.uploaded + counts.byState.unknown,
        failed: counts.byState.failed,
        atRisk: risk.atRisk,
      },
      `yesterday: ${figures.received} received, ${figures.final.confirmed ?? 0} confirmed, ${figures.final.rejected ?? 0} rejected`,
    );
    return `${figures.received} received yesterday`;
  });

  scheduler.add('retention', config.store.finalBytesRetentionDays === null ? null : schedules.retention, () => {
    const days = config.store.finalBytesRetentionDays!;
    const pruned = new Retention(db).pruneFinalBytes(days);
    if (pruned > 0) logger.info({ event: 'retention', pruned, days }, 'released the kept bytes of old final messages');
    return `${pruned} released`;
  });

  scheduler.add('walCheckpoint', schedules.walCheckpoint, () => {
    // PASSIVE: folds back what no reader needs, never waiting for (or blocking) intake's writes.
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    return result ? `${result.checkpointed} of ${result.log} pages checkpointed` : 'not in WAL mode';
  });

  const trackProblems = new Problems(db, 'tracks', now);
  scheduler.add('tracks', schedules.tracks, () =>
    runTracksJob({
      book: deps.tracks,
      settings: config.tracks,
      validator: deps.validator,
      problems: trackProblems,
      logger,
      atRiskHours: config.deadlines.atRiskHours,
      now,
    }),
  );

  scheduler.add('certificates', schedules.certificates, () => {
    const lines: string[] = [];
    for (const cert of deps.certificates()) {
      const subject = `sender ${cert.partyId}`;
      const daysLeft = Math.floor((cert.notAfter.getTime() - now()) / DAY_MS);
      if (daysLeft > CERTIFICATE_WARNING_DAYS) {
        problems.resolve(subject, CERTIFICATE_EXPIRING);
        continue;
      }
      const detail =
        daysLeft < 0
          ? `the certificate of sender ${cert.partyId} (${cert.subject}) expired on ${cert.notAfter.toISOString()}`
          : `the certificate of sender ${cert.partyId} (${cert.subject}) expires on ${cert.notAfter.toISOString()}, in ${daysLeft} day(s)`;
      problems.raise(subject, CERTIFICATE_EXPIRING, detail);
      logger.warn({ event: CERTIFICATE_EXPIRING, partyId: cert.partyId, notAfter: cert.notAfter, daysLeft }, detail);
      lines.push(`${cert.partyId}: ${daysLeft} day(s) left`);
    }
    return lines.join('; ') || 'none expiring';
  });
}
