import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../fs/writeFileDurably.js';
import { failpoint } from '../failpoints/failpoints.js';
import './outboundFailpoints.js';
import type { MessageBytes } from '../store/MessageBytes.js';
import type { OutboundQueries, QueuedGroup } from '../store/OutboundQueries.js';
import type { PackMove, PackTransitions } from '../store/PackTransitions.js';
import { ArmorError } from './armor.js';
import type { SigningIdentity } from './cms/index.js';
import { buildSignedPack, type SignedPack } from './pack/buildSignedPack.js';

export interface PackingSettings {
  /** At most this many messages per pack (the protocol allows 1,000). */
  maxPackMessages: number;
  /** A pack is cut once its oldest message has waited this long, full or not. */
  maxPackWaitMs: number;
  zip: boolean;
  /** Where signed files are kept until their pack is final. */
  outboxDir: string;
  routing: { partyId: string; routingId: string; toPartyId: string; toRoutingId: string };
}

/**
 * Cuts packs from queued messages: by message type and seller, full (at most 1,000, at most 20 MiB
 * armored) or when the oldest has waited long enough. The signed file is written durably and then
 * recorded with its messages (`packed`) in one transaction, before any network call; a crash
 * between the two leaves only an unreferenced file, removed at start-up.
 */
export class Packer {
  constructor(
    private readonly settings: PackingSettings,
    private readonly queries: OutboundQueries,
    private readonly packs: PackTransitions,
    private readonly bytes: MessageBytes,
    private readonly signer: SigningIdentity,
    private readonly onChanges: (changes: PackMove[]) => void,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(settings.outboxDir, { recursive: true });
  }

  /** Cuts every pack that is due now; returns how many were cut. */
  cutDuePacks(): number {
    let cut = 0;
    for (const group of this.queries.queuedGroups()) {
      let remaining = group.count;
      while (remaining > 0 && this.isDue(group, remaining)) {
        const packed = this.cutOne(group);
        if (packed === 0) break;
        remaining -= packed;
        cut++;
      }
    }
    return cut;
  }

  /** Removes signed files no pack refers to (written by a process killed before recording them). */
  removeUnrecordedFiles(): number {
    const referenced = this.queries.payloadPaths();
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

  private cutOne(group: QueuedGroup): number {
    let limit = this.settings.maxPackMessages;
    for (;;) {
      const batch = this.queries.queuedBatch(group.messageType, group.sellerId, limit);
      if (batch.length === 0) return 0;
      let pack: SignedPack;
      try {
        pack = buildSignedPack({
          messageType: group.messageType,
          routing: {
            from: { id: this.settings.routing.partyId },
            fromVac: { id: this.settings.routing.routingId },
            to: { id: this.settings.routing.toPartyId },
            toVac: { id: this.settings.routing.toRoutingId },
          },
          messages: batch.map((m) => this.bytes.read(m.id) ?? missingBytes(m.id)),
          sourceName: batch[0]!.sourceName,
          zip: this.settings.zip,
          signer: this.signer,
          at: new Date(this.now()),
        });
      } catch (err) {
        // Over 20 MiB armored: halve the pack until it fits.
        if (err instanceof ArmorError && err.code === 'armor-too-large' && batch.length > 1) {
          limit = Math.ceil(batch.length / 2);
          continue;
        }
        throw err;
      }
      const fileName = pack.zipped ? `${pack.signedFileName}.zip` : pack.signedFileName;
      const payloadPath = writeFileDurably(this.settings.outboxDir, fileName, pack.payload);
      failpoint('after-pack-file');
      const { changes } = this.packs.create(
        {
          commonName: pack.commonName,
          signedFileName: pack.signedFileName,
          messageType: group.messageType,
          fromPartyId: this.settings.routing.partyId,
          toPartyId: this.settings.routing.toPartyId,
          size: pack.armored.length,
          zipped: pack.zipped,
          payloadPath,
          payloadSha256: createHash('sha256').update(pack.payload).digest('hex'),
        },
        batch.map((m) => m.id),
      );
      this.onChanges(changes);
      failpoint('after-pack-record');
      return batch.length;
    }
  }
}

function missingBytes(messageId: number): never {
  throw new Error(`message ${messageId} is queued but its validated bytes are not kept; it cannot be sent`);
}
