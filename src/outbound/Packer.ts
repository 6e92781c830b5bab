import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { mkdirDurably } from '../fs/fsyncDir.js';
import { portableName } from '../fs/portableName.js';
import { removeStaleTemps, writeFileDurably } from '../fs/writeFileDurably.js';
import { outboundFailpoint as failpoint } from './outboundFailpoints.js';
import type { MessageBytes } from '../store/MessageBytes.js';
import type { MessageTransitions } from '../store/MessageTransitions.js';
import type { OutboundQueries, QueuedGroup, QueuedMessage } from '../store/OutboundQueries.js';
import type { PackMove, PackTransitions } from '../store/PackTransitions.js';
import type { Problems } from '../store/Problems.js';
import { StoreError } from '../store/StoreError.js';
import { ArmorError } from '../protocol/armor.js';
import type { SenderLookup } from './Senders.js';
import { OutboundError } from './OutboundError.js';
import { EnvelopeError } from '../protocol/envelope/EnvelopeError.js';
import { prepareMessageBytes } from '../protocol/envelope/prepareMessage.js';
import { buildSignedPack, type SignedPack } from '../protocol/buildSignedPack.js';

export interface PackingSettings {
  /** At most this many messages per pack (the protocol allows 1,000). */
  maxPackMessages: number;
  /** A pack is cut once its oldest message has waited this long, full or not. */
  maxPackWaitMs: number;
  zip: boolean;
  /** Where signed files are kept until their pack is final. */
  outboxDir: string;
  /** The receiver (the platform): the envelope's To and ToVAC. */
  to: { partyId: string; routingId: string };
}

export interface PackerParts {
  queries: OutboundQueries;
  packs: PackTransitions;
  messages: MessageTransitions;
  bytes: MessageBytes;
  /** Each group is signed and addressed as the sender of its seller. */
  senders: Pick<SenderLookup, 'forSeller'>;
  /** The sending area's open problems (a group that cannot be packed). */
  problems: Problems;
  logger: Logger;
  onChanges: (changes: PackMove[]) => void;
  now?: () => number;
}

/** Problem code (sending area) of a group of queued messages that cannot be packed for a reason not theirs. */
export const PACK_FAILED = 'pack-failed';

/**
 * The source part of a signed file's name (Turnkey's: the first message's file name) is that name
 * made portable and cut to this many bytes, so no source name can make the name too long or odd.
 */
const SIGNED_FILE_SOURCE_MAX_BYTES = 60;

/** A group that failed to pack is looked at again after this long. */
const GROUP_RETRY_MS = 30_000;

/**
 * Cuts packs from queued messages: by message type and seller (so each pack has one sender, whose
 * identity signs it and whose BAN and routing id are its From and FromVAC), full (at most 1,000, at most 20 MiB
 * armored) or when the oldest has waited long enough. The signed file is written durably and then
 * recorded with its messages (`packed`) in one transaction, before any network call; a crash
 * between the two leaves only an unreferenced file, removed at start-up.
 *
 * One message never stops the others: a message whose kept bytes are missing or altered, or that
 * cannot be spliced into an envelope, leaves the queue on its own (`failed`, with its code), and
 * the pack is cut without it. A group that fails for a reason that is not one message's (the
 * outbox cannot be written, the signer fails) is a problem for the operator and waits; the other
 * groups go on.
 */
export class Packer {
  private readonly now: () => number;
  /** Groups that failed to pack, by `type/seller`: not before this time. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly settings: PackingSettings,
    private readonly parts: PackerParts,
  ) {
    this.now = parts.now ?? Date.now;
    mkdirDurably(settings.outboxDir); // its signed files are recorded: the folder must outlast a power cut
    // A signed file written halfway before a kill: its pack was never recorded, and is cut again.
    removeStaleTemps(settings.outboxDir);
  }

  /** Cuts every pack that is due now; returns how many were cut. */
  cutDuePacks(): number {
    let cut = 0;
    const groups = this.parts.queries.queuedGroups().sort((a, b) => typeRank(a.messageType) - typeRank(b.messageType));
    for (const group of groups) {
      const subject = groupSubject(group);
      if ((this.blockedUntil.get(subject) ?? 0) > this.now()) continue;
      try {
        let remaining = group.count;
        while (remaining > 0 && this.isDue(group, remaining)) {
          const packed = this.cutOne(group);
          if (packed === 0) break;
          remaining -= packed;
          cut++;
        }
        this.blockedUntil.delete(subject);
        this.resumed(subject);
      } catch (err) {
        this.groupFailed(subject, err);
      }
    }
    // A group that no longer has queued messages (isolated, or taken care of) has no problem left.
    const queued = new Set(groups.map(groupSubject));
    for (const subject of this.parts.problems.openSubjects(PACK_FAILED)) if (!queued.has(subject)) this.resumed(subject);
    return cut;
  }

  private resumed(subject: string): void {
    if (this.parts.problems.resolve(subject, PACK_FAILED))
      this.parts.logger.info({ event: 'pack-resumed', group: subject }, `${subject}: packs are cut again`);
  }

  /** Removes signed files no pack refers to (written by a process killed before recording them). */
  removeUnrecordedFiles(): number {
    const referenced = this.parts.queries.payloadPaths();
    let removed = 0;
    for (const name of readdirSync(this.settings.outboxDir)) {
      const path = join(this.settings.outboxDir, name);
      if (referenced.has(path)) continue;
      rmSync(path, { force: true });
      removed++;
    }
    return removed;
  }

  private isDue(group: QueuedGroup, remaining: number): boolean {
    return remaining >= this.settings.maxPackMessages || this.now() - group.oldestQueuedAt >= this.settings.maxPackWaitMs;
  }

  /** Messages packed (0: none left); messages that cannot be packed are isolated on the way. */
  private cutOne(group: QueuedGroup): number {
    const sender = this.parts.senders.forSeller(group.sellerId);
    if (!sender) {
      // Intake refuses what no sender covers: the configuration changed since these were queued.
      throw new OutboundError('sender-unknown', `no configured sender covers the seller ${group.sellerId || '(none)'}`, {
        hint: "Add the seller's BAN to a sender in platform.senders (or restore the sender that covered it) and restart the daemon.",
      });
    }
    let limit = this.settings.maxPackMessages;
    for (;;) {
      const batch = this.parts.queries.queuedBatch(group.messageType, group.sellerId, limit);
      if (batch.length === 0) return 0;
      const contents = this.readContents(batch);
      if (contents === null) continue; // some were isolated: read the batch again
      let pack: SignedPack;
      try {
        pack = buildSignedPack({
          messageType: group.messageType,
          routing: {
            from: { id: sender.partyId },
            fromVac: { id: sender.routingId },
            to: { id: this.settings.to.partyId },
            toVac: { id: this.settings.to.routingId },
          },
          messages: contents,
          sourceName: portableName(batch[0]!.sourceName, SIGNED_FILE_SOURCE_MAX_BYTES),
          zip: this.settings.zip,
          signer: sender.signer,
          at: new Date(this.now()),
        });
      } catch (err) {
        // Over 20 MiB armored: halve the pack until it fits.
        if (err instanceof ArmorError && err.code === 'armor-too-large' && batch.length > 1) {
          limit = Math.ceil(batch.length / 2);
          continue;
        }
        // Only a message can be unfit for splicing: find which (rarely run, so each is tried alone).
        if (err instanceof EnvelopeError && err.code === 'envelope-message') {
          const unfit = batch.filter((_, i) => spliceProblem(contents[i]!) !== null);
          if (unfit.length > 0) {
            this.isolate(
              unfit,
              'unpackable',
              `this message cannot be put into an envelope: ${spliceProblem(contents[batch.indexOf(unfit[0]!)]!)}`,
            );
            continue;
          }
        }
        throw err;
      }
      const fileName = pack.zipped ? `${pack.signedFileName}.zip` : pack.signedFileName;
      const payloadPath = writeFileDurably(this.settings.outboxDir, fileName, pack.payload);
      failpoint('after-pack-file');
      const { changes } = this.parts.packs.create(
        {
          commonName: pack.commonName,
          signedFileName: pack.signedFileName,
          messageType: group.messageType,
          fromPartyId: sender.partyId,
          toPartyId: this.settings.to.partyId,
          size: pack.armored.length,
          zipped: pack.zipped,
          payloadPath,
          payloadSha256: createHash('sha256').update(pack.payload).digest('hex'),
          signerFingerprint: sender.signer.fingerprint,
          fromRoutingId: sender.routingId,
          toRoutingId: this.settings.to.routingId,
        },
        batch.map((m) => m.id),
      );
      this.parts.onChanges(changes);
      failpoint('after-pack-record');
      return batch.length;
    }
  }

  /** The kept bytes of each message; null when some had none (or altered ones) and were isolated. */
  private readContents(batch: readonly QueuedMessage[]): Buffer[] | null {
    const contents: Buffer[] = [];
    const missing: QueuedMessage[] = [];
    const altered: QueuedMessage[] = [];
    for (const m of batch) {
      let bytes: Buffer | undefined;
      try {
        bytes = this.parts.bytes.read(m.id);
      } catch (err) {
        // Only altered bytes are the message's own fault; a busy or failing database is not.
        if (!(err instanceof StoreError && err.code === 'bytes-mismatch')) throw err;
        altered.push(m);
        continue;
      }
      if (bytes === undefined) missing.push(m);
      else contents.push(bytes);
    }
    if (missing.length > 0)
      this.isolate(
        missing,
        'bytes-missing',
        'the validated bytes of this message are no longer kept, so it cannot be sent; drop the file again',
      );
    if (altered.length > 0)
      this.isolate(
        altered,
        'bytes-mismatch',
        'the kept bytes of this message no longer match what was validated (the database was altered or damaged); restore it, or drop ' +
          'the file again',
      );
    return missing.length + altered.length > 0 ? null : contents;
  }

  /** Takes messages out of the queue on their own: `failed`, with their code, for the operator. */
  private isolate(messages: readonly QueuedMessage[], code: string, text: string): void {
    const moved = this.parts.messages.moveMany(
      messages.map((m) => m.id),
      'queued',
      'failed',
      { code, text },
    );
    for (const id of moved.messageIds) {
      this.parts.logger.error({ event: 'message-isolated', messageId: id, code, to: moved.to }, `message ${id} cannot be sent: ${text}`);
    }
  }

  private groupFailed(subject: string, err: unknown): void {
    this.blockedUntil.set(subject, this.now() + GROUP_RETRY_MS);
    const code = (err as { code?: unknown }).code;
    const detail =
      `${typeof code === 'string' ? code : 'error'}: the queued ${subject} messages cannot be packed ` +
      `(${err instanceof Error ? err.message : String(err)}); retried every ${GROUP_RETRY_MS / 1000} s`;
    if (this.parts.problems.raise(subject, PACK_FAILED, detail)) {
      this.parts.logger.error({ event: 'pack-failed', group: subject, err }, detail);
    }
  }
}

/**
 * The order packs of the types are cut in (and so, mostly, sent in): what a message acts on
 * before it: invoices before their allowances, allowances before their cancels, allowance cancels
 * before invoice cancels (the platform cancels an invoice only once its allowances are cancelled).
 */
const TYPE_ORDER = ['E0401', 'F0401', 'G0401', 'G0501', 'F0501', 'F0701', 'E0402'];

function typeRank(type: string): number {
  const rank = TYPE_ORDER.indexOf(type);
  return rank < 0 ? TYPE_ORDER.length : rank;
}

/** `F0401/12345678`: a group of queued messages, as status names it. */
function groupSubject(group: QueuedGroup): string {
  return `${group.messageType}/${group.sellerId || '-'}`;
}

/** Why a message cannot be spliced into an envelope; null when it can. */
function spliceProblem(bytes: Uint8Array): string | null {
  try {
    prepareMessageBytes(bytes);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
