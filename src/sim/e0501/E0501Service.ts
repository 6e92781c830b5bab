import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { serializeEnvelope } from '../../protocol/envelope/index.js';
import { formatCommonName } from '../../protocol/names.js';
import type { Validator } from '../../validation/Validator.js';
import type { AccountRegistry, SimAccount } from '../accounts/AccountRegistry.js';
import type { SimDatabase } from '../record/SimDatabase.js';
import { e0501FileName } from '../results/resultNames.js';
import { PLATFORM_PARTY } from '../results/ResultRouting.js';
import { SimError } from '../SimError.js';
import type { SimEvents } from '../SimEvents.js';
import type { SimLogger } from '../SimLogger.js';
import { publishFile } from '../storage/publishFile.js';
import type { SimLayout } from '../storage/SimLayout.js';
import type { Allocation, AllocationBook } from './AllocationBook.js';
import { e0501MessageXml } from './e0501Message.js';

/** One E0501 file written into an account's `out/`. */
export interface E0501Delivery {
  account: string;
  partyId: string;
  period: string;
  fileName: string;
  /** How many allocations (tracks) it holds. */
  allocations: number;
}

export interface E0501ServiceDeps {
  allocations: AllocationBook;
  accounts: AccountRegistry;
  layout: SimLayout;
  db: SimDatabase;
  validator: Validator;
  events: SimEvents;
  logger: SimLogger;
}

/**
 * Delivers allocations as E0501 downloads: an InvoiceEnvelope from the platform to the merchant
 * holding one InvoiceAssignNo per track of the period, put into the `out/` of every account of
 * that merchant as `<common name>-E0501`. On request (any time, again and again), and on a
 * schedule (each merchant and period once, when its allocations become available).
 */
export class E0501Service {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: E0501ServiceDeps) {}

  request(period: string, options: { partyId?: string } = {}): E0501Delivery[] {
    const groups = this.deps.allocations.byParty(period, options.partyId);
    if (groups.size === 0) {
      throw new SimError(
        'sim-no-allocation',
        `no allocation for period ${period}${options.partyId ? ` and merchant ${options.partyId}` : ''}`,
        {
          hint: 'Add it to "allocations" in the simulator configuration.',
        },
      );
    }
    const deliveries = [...groups].flatMap(([partyId, allocations]) => this.deliver(partyId, period, allocations, 'request'));
    if (deliveries.length === 0) {
      throw new SimError(
        'sim-no-allocation',
        `no account sends for ${[...groups.keys()].join(', ')}: there is no out/ to put the E0501 in`,
      );
    }
    return deliveries;
  }

  /** Delivers what is available and not yet delivered. */
  runSchedule(now: Date = new Date()): E0501Delivery[] {
    const deliveries: E0501Delivery[] = [];
    for (const { partyId, period } of this.deps.allocations.availableGroups(now)) {
      if (this.deps.db.wasE0501Delivered(partyId, period)) continue;
      const allocations = (this.deps.allocations.byParty(period, partyId).get(partyId) ?? []).filter(
        (a) => !a.availableAt || a.availableAt <= now,
      );
      deliveries.push(...this.deliver(partyId, period, allocations, 'schedule'));
    }
    return deliveries;
  }

  startSchedule(intervalMs: number): void {
    const tick = () => {
      try {
        this.runSchedule();
      } catch (error) {
        this.deps.logger.error({ err: (error as Error).message }, 'the scheduled E0501 delivery failed');
      }
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private deliver(partyId: string, period: string, allocations: Allocation[], trigger: 'request' | 'schedule'): E0501Delivery[] {
    return this.deps.accounts.withPartyId(partyId).map((account) => {
      const bytes = this.envelopeFor(account, allocations);
      const commonName = formatCommonName({ migVersion: '4.1', messageType: 'E0501', at: new Date(), uuid: randomUUID() });
      const fileName = e0501FileName(commonName);
      const { layout, db, events, logger } = this.deps;
      publishFile(layout.writingDir(account.transportId), join(layout.outDir(account.transportId), fileName), bytes);
      db.recordE0501Delivery({ account: account.transportId, partyId, period, filename: fileName, trigger });
      events.emit('e0501', { account: account.transportId, partyId, period, fileName });
      logger.info({ account: account.transportId, partyId, period, fileName, trigger }, 'E0501 written');
      return { account: account.transportId, partyId, period, fileName, allocations: allocations.length };
    });
  }

  /** The envelope, checked against E0501.xsd (each message) and InvoiceEnvelope.xsd before it is written. */
  private envelopeFor(account: SimAccount, allocations: Allocation[]): Buffer {
    const messages = allocations.map(e0501MessageXml);
    for (const message of messages) {
      const report = this.deps.validator.validate(Buffer.from(message, 'utf8'));
      if (!report.valid || report.messageType !== 'E0501') {
        throw new SimError(
          'sim-e0501-invalid',
          `the E0501 for ${account.partyId} does not pass E0501.xsd: ${report.errors.map((e) => e.message).join('; ')}`,
        );
      }
    }
    const envelope = serializeEnvelope({
      routing: {
        from: { id: PLATFORM_PARTY.partyId, description: PLATFORM_PARTY.description },
        fromVac: { id: PLATFORM_PARTY.routingId },
        to: { id: account.partyId },
        toVac: { id: account.routingId },
      },
      messageType: 'E0501',
      messages,
    });
    const report = this.deps.validator.validate(envelope);
    if (!report.valid || report.messageType !== 'InvoiceEnvelope') {
      throw new SimError(
        'sim-e0501-invalid',
        `the E0501 envelope does not pass InvoiceEnvelope.xsd: ${report.errors.map((e) => e.message).join('; ')}`,
      );
    }
    return envelope;
  }
}
