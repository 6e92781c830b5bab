import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { TurnkeyConfig } from '../config/types.js';
import { ConfigError } from '../errors/index.js';
import { logPackMove } from '../log/logPackMove.js';
import { DownCastWriter } from '../results/DownCastWriter.js';
import { ResultCollector } from '../results/ResultCollector.js';
import { ResultInbox } from '../results/ResultInbox.js';
import { MessageBytes } from '../store/MessageBytes.js';
import { MessageTransitions } from '../store/MessageTransitions.js';
import { OutboundQueries } from '../store/OutboundQueries.js';
import { PackTransitions, type PackMove } from '../store/PackTransitions.js';
import { Problems } from '../store/Problems.js';
import { ReceivedFiles } from '../store/ReceivedFiles.js';
import { recordSenderCertificates } from '../store/SenderCertificates.js';
import type { Store } from '../store/Store.js';
import type { AsyncValidator } from '../validation/types.js';
import { CircuitBreaker } from './CircuitBreaker.js';
import { Senders } from './Senders.js';
import { OutboundService } from './OutboundService.js';
import { Packer } from './Packer.js';
import { PackSender } from './PackSender.js';
import { ResultDeferral } from './ResultDeferral.js';
import type { SendingGate } from '../schedule/SendingGate.js';
import { HOLD, SendingHolds } from './SendingHolds.js';

/** Results wait for a burst's sending at most this long at a time. */
const RESULT_DEFER_MAX_MS = 30_000;

/** Where outbound keeps its files, under the data root. */
export function outboundFolders(dataRoot: string): { outbox: string; inbox: string } {
  return { outbox: join(dataRoot, 'outbox'), inbox: join(dataRoot, 'inbox') };
}

/**
 * Everything that sends and reconciles, built from the configuration: the senders (certificates
 * and transport accounts), the packer, the sender, the result collector, the DownCast writer. In
 * sandbox mode the daemon has started the platform simulator beside it (sandbox/SandboxLauncher)
 * before this, and this talks to it as to the real platform.
 */
export class OutboundRuntime {
  private constructor(
    readonly service: OutboundService,
    private readonly senders: Senders,
  ) {}

  static async start(options: {
    config: TurnkeyConfig;
    store: Store;
    /** The validation thread: results are checked against their schemas there. */
    validator: AsyncValidator;
    logger: Logger;
    /** True while invoices wait to be taken: results then wait (see ResultDeferral). */
    intakeBacklog?: () => boolean;
    /** The maintenance windows: nothing is sent inside one. */
    gate: SendingGate;
  }): Promise<OutboundRuntime | null> {
    const { config, store, validator, logger, gate } = options;
    const platform = config.platform;
    if (!platform) return null;

    const senders = await Senders.start(platform, readKnownHosts(platform.sftp.knownHostsFile), logger);

    const db = store.db;
    recordSenderCertificates(
      db,
      senders.all.map((s) => ({
        partyId: s.partyId,
        subject: s.signer.subject,
        fingerprint: s.signer.fingerprint,
        notAfter: s.signer.notAfter,
      })),
    );
    reportOrphanPacks(new OutboundQueries(db), senders, new Problems(db, 'sending'), logger);
    const messages = new MessageTransitions(db);
    const packs = new PackTransitions(db, messages);
    const queries = new OutboundQueries(db);
    const breaker = new CircuitBreaker(db, {
      failureThreshold: config.outbound.breaker.failureThreshold,
      openMs: config.outbound.breaker.openSeconds * 1000,
      maxOpenMs: config.outbound.breaker.maxOpenSeconds * 1000,
    });
    const folders = outboundFolders(config.dataRoot);
    const onChanges = (changes: PackMove[]): void => {
      for (const change of changes) logPackMove(logger, change);
    };
    const packer = new Packer(
      {
        maxPackMessages: config.outbound.maxPackMessages,
        maxPackWaitMs: config.outbound.maxPackWaitSeconds * 1000,
        zip: config.outbound.zip,
        outboxDir: folders.outbox,
        to: { partyId: platform.toPartyId, routingId: platform.toRoutingId },
      },
      { queries, packs, messages, bytes: new MessageBytes(db), senders, problems: new Problems(db, 'sending'), logger, onChanges },
    );
    const retry = config.outbound.retry;
    const holds = new SendingHolds(
      db,
      new Problems(db, 'sending'),
      senders.transports,
      logger,
      config.outbound.breaker.maxOpenSeconds * 1000,
    );
    holds.releaseSenders();
    let service: OutboundService | null = null;
    const sender = new PackSender(
      packs,
      senders,
      breaker,
      {
        baseDelayMs: retry.baseDelaySeconds * 1000,
        maxDelayMs: retry.maxDelaySeconds * 1000,
        maxAttempts: retry.maxAttempts,
        maxAgeMs: retry.maxAgeHours * 3600_000,
      },
      {
        toPartyId: platform.toPartyId,
        toRoutingId: platform.toRoutingId,
        actions: platform.actions,
        apiVersion: platform.apiVersion,
        turnkeyVersion: platform.turnkeyVersion,
      },
      {
        changes: onChanges,
        attempt: (event) => logger.info({ event: 'pack-attempt', ...event }, `pack ${event.stage}: ${event.outcome}`),
        notified: () => service?.pollResultsSoon(),
      },
      gate,
      holds,
    );
    const links = senders.transports.map((t) => t.link);
    const collector = new ResultCollector(db, links, new ResultInbox(folders.inbox), new ReceivedFiles(db), queries, packs, validator, {
      changes: onChanges,
      problem: (file, problem) => logger.warn({ event: 'result-problem', file, problem }, problem),
      received: (file, kind) => logger.info({ event: 'result-received', file, kind }, `received ${kind}`),
      allocations: (file, added, known) =>
        logger.info({ event: 'allocations-received', file, added, known }, `recorded ${added} new allocation(s) from ${file}`),
      packRefused: (pack, code, text) => {
        const sender = senders.byParty(pack.fromPartyId);
        // A signature the platform cannot verify: every later pack of this sender would be refused the same
        // way, unless the pack was signed by a certificate the sender no longer uses.
        const current = pack.signerFingerprint === null || pack.signerFingerprint === sender?.signer.fingerprint;
        if (code === 'E0004' && sender && current) {
          holds.holdSender(
            sender,
            HOLD.certificateNotRegistered,
            `the platform could not verify the signature of pack ${pack.commonName} (${text}); certificate ` +
              `${sender.signer.subject}, fingerprint ${sender.signer.fingerprint}`,
          );
        }
      },
    });
    service = new OutboundService(
      {
        concurrency: config.outbound.concurrency,
        tickMs: config.outbound.tickMs,
        resultPollMs: config.outbound.resultPollSeconds * 1000,
        resultPollSoonMs: config.outbound.resultPollSoonSeconds * 1000,
      },
      queries,
      packs,
      packer,
      sender,
      breaker,
      collector,
      new DownCastWriter(db, config.dataRoot),
      logger,
      Date.now,
      options.intakeBacklog ? new ResultDeferral(options.intakeBacklog, RESULT_DEFER_MAX_MS) : null,
      new Problems(db, 'results'),
      gate,
      holds,
    );
    service.start();
    // Connect now, so the first upload does not wait for the SSH handshake. A failure here is
    // retried by the first upload.
    // (Not inside a maintenance window: the platform is not to be contacted then.)
    const transports = gate.update().state === 'sending' ? senders.transports : [];
    for (const transport of transports) {
      void transport.link
        .connect()
        // A login that works lifts a hold on the account (the operator fixed the password, say, and restarted).
        .then(() => holds.releaseTransport(transport.id))
        .catch((err: unknown) =>
          logger.warn(
            { event: 'sftp-connect-failed', transport: transport.id, code: (err as { code?: string }).code },
            'cannot connect to the platform by SFTP yet; uploads will retry',
          ),
        );
    }
    logger.info(
      {
        event: 'outbound-started',
        mode: platform.mode,
        sftp: `${platform.sftp.host}:${platform.sftp.port}`,
        gateway: platform.gateway.baseUrl,
        senders: senders.all.map((s) => ({
          partyId: s.partyId,
          routingId: s.routingId,
          bans: s.bans,
          transport: s.transport.id,
          certificate: { subject: s.signer.subject, notAfter: s.signer.notAfter, fingerprint: s.signer.fingerprint },
        })),
      },
      'sending to the platform',
    );
    return new OutboundRuntime(service, senders);
  }

  /** The senders' certificates, for the expiry warnings. */
  certificates(): Array<{ partyId: string; subject: string; notAfter: Date }> {
    return this.senders.all.map((s) => ({ partyId: s.partyId, subject: s.signer.subject, notAfter: s.signer.notAfter }));
  }

  /** Finishes what is in flight, then closes connections. */
  async stop(): Promise<void> {
    await this.service.stop();
    await this.senders.close();
  }
}

/** Problem code (sending area) of packs whose party no configured sender is. */
export const PACKS_WITHOUT_SENDER = 'packs-without-sender';

/**
 * Packs made by a sender the configuration no longer names can be neither sent (their bytes are
 * that party's signature) nor have their results collected (from that party's account): a
 * problem for the operator until the sender is configured again.
 */
function reportOrphanPacks(queries: OutboundQueries, senders: Senders, problems: Problems, logger: Logger): void {
  const orphans = queries.openPacksByParty().filter((p) => !senders.byParty(p.partyId));
  for (const subject of problems.openSubjects(PACKS_WITHOUT_SENDER)) {
    if (!orphans.some((o) => `party ${o.partyId}` === subject)) problems.resolve(subject, PACKS_WITHOUT_SENDER);
  }
  for (const orphan of orphans) {
    const detail =
      `${orphan.packs} pack(s) of party ${orphan.partyId} are not finished, and no sender in platform.senders is that ` +
      `party: they are neither sent nor are their results collected`;
    if (problems.raise(`party ${orphan.partyId}`, PACKS_WITHOUT_SENDER, detail))
      logger.error({ event: PACKS_WITHOUT_SENDER, partyId: orphan.partyId, packs: orphan.packs }, detail);
  }
}

function readKnownHosts(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`platform.sftp.knownHostsFile: cannot read ${file}`, {
      cause,
      hint: "Write the platform's host key there as a known_hosts line ([host]:2222 keytype base64); there is no accept-anything mode.",
    });
  }
}
