import { readFile } from 'node:fs/promises';
import type { AccountRegistry, SimAccount } from '../accounts/AccountRegistry.js';
import type { AllocationBook } from '../e0501/AllocationBook.js';
import type { MaintenanceCalendar } from '../maintenance/MaintenanceCalendar.js';
import type { PackOutcomeRecord, PackRecord, SimDatabase } from '../record/SimDatabase.js';
import type { PackOutcome } from '../results/PackOutcome.js';
import type { ResultPublisher } from '../results/ResultPublisher.js';
import { RESULT_CODE } from '../results/resultCodes.js';
import { PLATFORM_PARTY } from '../results/ResultRouting.js';
import type { SimEvents } from '../SimEvents.js';
import type { SimLogger } from '../SimLogger.js';
import { decideOutcome } from './decideOutcome.js';
import type { ExtraRules } from './ExtraRules.js';
import type { OpenedPack } from './openPack.js';
import type { PackOpener } from './PackOpener.js';

interface QueueEntry {
  pack: PackRecord;
  account: SimAccount;
  opened: OpenedPack | null;
  timer: NodeJS.Timeout | null;
}

export interface PackQueueDeps {
  db: SimDatabase;
  accounts: AccountRegistry;
  opener: PackOpener;
  publisher: ResultPublisher;
  calendar: MaintenanceCalendar;
  allocations: AllocationBook;
  rules: () => ExtraRules;
  processingDelayMs: number;
  events: SimEvents;
  logger: SimLogger;
}

/**
 * Accepted packs, processed after the configured delay (and not during a maintenance window).
 * Packs are opened in parallel, but decided and recorded strictly in the order they were
 * accepted, so duplicate detection does not depend on which worker finished first. A pack's
 * decisions are committed in one transaction before its results are written; a pack still queued
 * when the simulator stops is processed on the next start.
 */
export class PackQueue {
  private readonly entries: QueueEntry[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly deps: PackQueueDeps) {}

  get length(): number {
    return this.entries.length;
  }

  enqueue(pack: PackRecord): void {
    const account = this.deps.accounts.get(pack.account);
    if (!account) {
      this.deps.logger.warn(
        { account: pack.account, filename: pack.filename },
        'a queued pack belongs to an account no longer configured; left queued',
      );
      return;
    }
    const entry: QueueEntry = { pack, account, opened: null, timer: null };
    this.entries.push(entry);
    this.schedule(entry);
  }

  /** After a restart: queue the packs accepted but not processed, and rewrite results lost to a crash. */
  recover(): void {
    for (const pack of this.deps.db.queuedPacks()) this.enqueue(pack);
    for (const pack of this.deps.db.packsWithPendingResults()) {
      const account = this.deps.accounts.get(pack.account);
      if (account) this.deps.publisher.publish(pack, toPackOutcome(pack, this.deps.db.outcomeOf(pack)), { recovering: true });
    }
  }

  /** Resolves when every queued pack has been decided. */
  idle(): Promise<void> {
    if (this.entries.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.entries) if (entry.timer) clearTimeout(entry.timer);
    this.entries.length = 0;
    this.wakeIdle();
  }

  private schedule(entry: QueueEntry): void {
    if (this.stopped) return;
    const now = Date.now();
    const readyAt = Date.parse(entry.pack.acceptedAt) + this.deps.processingDelayMs;
    const window = this.deps.calendar.activeAt(new Date(Math.max(now, readyAt)));
    const wait = Math.max(readyAt - now, window ? window.end.getTime() - now : 0);
    if (wait > 0) {
      // Timers cannot wait longer than about 24.8 days; look again then.
      entry.timer = setTimeout(
        () => {
          entry.timer = null;
          this.schedule(entry);
        },
        Math.min(wait, 2 ** 31 - 1),
      );
      return;
    }
    void this.open(entry);
  }

  private async open(entry: QueueEntry): Promise<void> {
    try {
      const fileBytes = await readFile(entry.pack.storedPath);
      entry.opened = await this.deps.opener.open({
        fileBytes,
        zip: entry.pack.zip,
        trustedCertificates: [...entry.account.certificateDers],
      });
    } catch (error) {
      if (this.stopped) return;
      this.deps.logger.error({ filename: entry.pack.filename, err: (error as Error).message }, 'a pack could not be opened');
      entry.opened = {
        kind: 'failed',
        code: RESULT_CODE.systemError,
        reason: `the simulator could not open the pack: ${(error as Error).message}`,
      };
    }
    if (!this.stopped) this.drain();
  }

  private drain(): void {
    while (this.entries.length > 0 && this.entries[0]!.opened !== null) {
      const entry = this.entries.shift()!;
      this.decide(entry, entry.opened!);
    }
    if (this.entries.length === 0) this.wakeIdle();
  }

  private decide(entry: QueueEntry, opened: OpenedPack): void {
    const { db, events, logger, publisher } = this.deps;
    const { pack, account } = entry;
    let outcome: PackOutcomeRecord;
    try {
      outcome = decideOutcome(opened, {
        pack,
        account,
        rules: this.deps.rules(),
        allocations: this.deps.allocations,
        acceptedDigest: (type, number) => db.acceptedDigest(type, number),
      });
      db.commitOutcome(pack.id, outcome);
    } catch (error) {
      logger.error({ filename: pack.filename, err: (error as Error).message }, 'recording a pack failed; it stays queued');
      return;
    }
    const good = outcome.decisions.filter((d) => d.decision === 'accepted').length;
    const failed = outcome.packCode !== null ? pack.quantity : outcome.decisions.length - good;
    events.emit('processed', { account: pack.account, filename: pack.filename, packCode: outcome.packCode, good, failed });
    logger.info({ account: pack.account, filename: pack.filename, packCode: outcome.packCode, good, failed }, 'pack processed');
    try {
      publisher.publish(pack, toPackOutcome(pack, outcome));
    } catch (error) {
      logger.error(
        { filename: pack.filename, err: (error as Error).message },
        'writing results failed; they are written again on the next start',
      );
    }
  }

  private wakeIdle(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/** A pack's results are addressed from the platform to the sender named in the notification. */
export function toPackOutcome(pack: PackRecord, outcome: PackOutcomeRecord): PackOutcome {
  return {
    routing: {
      from: { partyId: PLATFORM_PARTY.partyId, description: PLATFORM_PARTY.description },
      fromVac: { routingId: PLATFORM_PARTY.routingId },
      to: { partyId: pack.transFrom.partyInfo.partyId },
      toVac: { routingId: pack.transFrom.routingInfo.routingId },
    },
    messageId: pack.filename,
    size: pack.size,
    messageType: pack.messageType,
    serviceType: pack.serviceType,
    action: pack.action,
    quantity: pack.quantity,
    packCode: outcome.packCode,
    packReason: outcome.packReason,
    decisions: outcome.decisions,
  };
}
