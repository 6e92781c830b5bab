import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/outbound/CircuitBreaker.js';
import { PackSender, type PackSenderEvents } from '../../src/outbound/PackSender.js';
import type { RetryPolicy } from '../../src/outbound/retryPolicy.js';
import type { Sender } from '../../src/outbound/Senders.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { OutboundQueries } from '../../src/store/OutboundQueries.js';
import { PackTransitions, type PackRow } from '../../src/store/PackTransitions.js';
import { Store } from '../../src/store/Store.js';
import type { NotificationAnswer, UploadNotification } from '../../src/transport/gateway/GatewayClient.js';
import { TransportError } from '../../src/transport/TransportError.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';

const PARTY = '24634102';
const POLICY: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 4, maxAgeMs: 3600_000 };

/** What the fake platform does at each call, in order; a function may answer or throw. */
type Step<T> = () => T;

/** A platform that plays a script: each upload and each notification takes the next step of its list. */
class ScriptedPlatform {
  readonly uploads: string[] = [];
  readonly notifications: UploadNotification[] = [];
  uploadSteps: Array<Step<void>> = [];
  notifySteps: Array<Step<NotificationAnswer>> = [];

  sender(): Sender {
    const next = <T>(steps: Array<Step<T>>, what: string): T => {
      const step = steps.shift();
      if (!step) throw new Error(`the script has no ${what} left`);
      return step();
    };
    return {
      partyId: PARTY,
      routingId: PARTY,
      bans: [PARTY],
      signer: undefined as never, // the sender only uploads signed files; it never signs
      transport: {
        id: 'T1',
        link: {
          connect: async () => {},
          upload: async (path) => {
            this.uploads.push(path);
            next(this.uploadSteps, 'upload');
          },
          list: async () => [],
          download: async () => Buffer.alloc(0),
          remove: async () => {},
          close: async () => {},
        },
        gateway: {
          notify: async (notification) => {
            this.notifications.push(notification);
            return next(this.notifySteps, 'notification');
          },
          close: async () => {},
        },
      },
    };
  }
}

const accepted: Step<NotificationAnswer> = () => ({ statusCode: 0, statusDetail: [] });
const refusedWith =
  (code: string): Step<NotificationAnswer> =>
  () => ({ statusCode: 1, statusDetail: [{ code, description: `refused ${code}` }] });
const throwing =
  (error: TransportError): Step<never> =>
  () => {
    throw error;
  };

describe('PackSender', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let messages: MessageTransitions;
  let packs: PackTransitions;
  let queries: OutboundQueries;
  let platform: ScriptedPlatform;
  let clock: number;
  let sender: PackSender;
  let notified: string[];

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    clock = Date.parse('2026-12-01T00:00:00Z');
    const now = () => clock;
    messages = new MessageTransitions(store.db, now);
    packs = new PackTransitions(store.db, messages, now);
    queries = new OutboundQueries(store.db);
    platform = new ScriptedPlatform();
    notified = [];
    const events: PackSenderEvents = { changes: () => {}, attempt: () => {}, notified: (pack) => notified.push(pack) };
    const senders = { byParty: (party: string) => (party === PARTY ? platform.sender() : undefined) };
    const settings = { toPartyId: '0000000000', toRoutingId: '0000000000', actions: {}, apiVersion: '1', turnkeyVersion: '3.2' };
    sender = new PackSender(packs, senders, new CircuitBreaker(store.db, undefined, now), POLICY, settings, events, now, () => 0.5);
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  /** A pack of two queued messages, its signed file on disk. */
  function packedPack(): { packId: number; messageIds: number[] } {
    const messageIds = [1, 2].map((n) => {
      const { messageId } = messages.receive(newMessage(n, { sellerId: PARTY }));
      messages.move(messageId, 'received', 'queued');
      return messageId;
    });
    const payload = Buffer.from('signed bytes');
    const payloadPath = join(dir.path, 'pack.signed');
    writeFileSync(payloadPath, payload);
    const { packId } = packs.create(
      {
        commonName: 'pack-1',
        signedFileName: 'x_pack-1_2',
        messageType: 'F0401',
        fromPartyId: PARTY,
        toPartyId: '0000000000',
        size: payload.length,
        zipped: false,
        payloadPath,
        payloadSha256: createHash('sha256').update(payload).digest('hex'),
      },
      messageIds,
    );
    return { packId, messageIds };
  }

  const pack = (id: number): PackRow => queries.packById(id)!;
  /** The pack as the store has it, with the code of its last failure. */
  const recorded = (id: number) =>
    store.db
      .prepare('SELECT state, attempts, next_attempt_at AS nextAttemptAt, last_error_code AS lastErrorCode FROM packs WHERE id = ?')
      .get(id) as { state: string; attempts: number; nextAttemptAt: number; lastErrorCode: string | null };
  const statesOf = (ids: number[]) => ids.map((id) => store.db.prepare('SELECT state FROM messages WHERE id = ?').pluck().get(id));

  it('uploads, notifies with retry 0, and marks the messages uploaded', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [accepted];
    await sender.advance(pack(packId));
    expect(platform.uploads).toEqual(['in/pack-1']);
    expect(platform.notifications.map((n) => [n.filename, n.retry, n.quantity])).toEqual([['pack-1', 0, 2]]);
    expect(pack(packId).state).toBe('notified');
    expect(statesOf(messageIds)).toEqual(['uploaded', 'uploaded']);
    expect(notified).toEqual(['pack-1']);
  });

  it('retries a failed upload later, uploading the same file whole again', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = [throwing(new TransportError('sftp-transfer', 'connection lost')), () => {}];
    platform.notifySteps = [accepted];
    await sender.advance(pack(packId));
    const waiting = recorded(packId);
    expect(waiting).toMatchObject({ state: 'packed', attempts: 1, lastErrorCode: 'sftp-transfer' });
    expect(waiting.nextAttemptAt).toBeGreaterThan(clock);
    expect(statesOf(messageIds)).toEqual(['packed', 'packed']);
    expect(platform.notifications).toEqual([]);

    clock = waiting.nextAttemptAt;
    await sender.advance(pack(packId));
    expect(platform.uploads).toEqual(['in/pack-1', 'in/pack-1']);
    expect(pack(packId).state).toBe('notified');
  });

  it('sends an unanswered notification to unknown, and never rejects it on a later refusal', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [
      throwing(new TransportError('gateway-timeout', 'no answer in 30 s', { outcomeUnknown: true })),
      // The platform may have the pack already: even a content code must not reject it now.
      refusedWith('E0201'),
      accepted,
    ];
    await sender.advance(pack(packId));
    expect(pack(packId).state).toBe('unknown');
    expect(statesOf(messageIds)).toEqual(['unknown', 'unknown']);

    clock = pack(packId).nextAttemptAt!;
    await sender.advance(pack(packId));
    expect(recorded(packId)).toMatchObject({ state: 'unknown', lastErrorCode: 'E0201' });
    expect(statesOf(messageIds)).toEqual(['unknown', 'unknown']);

    clock = pack(packId).nextAttemptAt!;
    await sender.advance(pack(packId));
    expect(platform.uploads).toHaveLength(1); // never uploaded (nor signed) again
    expect(platform.notifications.map((n) => n.retry)).toEqual([0, 1, 2]);
    expect(pack(packId).state).toBe('notified');
    expect(statesOf(messageIds)).toEqual(['uploaded', 'uploaded']);
  });

  it('rejects the messages when the platform refuses the content of a fresh notification', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [refusedWith('E0004')];
    await sender.advance(pack(packId));
    expect(recorded(packId)).toMatchObject({ state: 'refused', lastErrorCode: 'E0004' });
    expect(statesOf(messageIds)).toEqual(['rejected', 'rejected']);
  });

  it('retries a refusal whose code is not known to be about the content', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [refusedWith('E0001')];
    await sender.advance(pack(packId));
    expect(recorded(packId)).toMatchObject({ state: 'file-uploaded', lastErrorCode: 'E0001' });
    expect(statesOf(messageIds)).toEqual(['packed', 'packed']);
  });

  it('fails the pack once the retry budget is spent, naming why', async () => {
    const { packId, messageIds } = packedPack();
    const down = throwing(new TransportError('sftp-connect', 'connection refused'));
    platform.uploadSteps = [down, down, down, down];
    for (let i = 0; i < POLICY.maxAttempts && pack(packId).state === 'packed'; i++) {
      clock = Math.max(clock, pack(packId).nextAttemptAt ?? clock);
      await sender.advance(pack(packId));
    }
    expect(platform.uploads).toHaveLength(POLICY.maxAttempts);
    expect(recorded(packId)).toMatchObject({ state: 'failed', lastErrorCode: 'sftp-connect' });
    expect(statesOf(messageIds)).toEqual(['failed', 'failed']);
  });

  it('fails a pack whose age is over the budget before trying again', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = [throwing(new TransportError('sftp-connect', 'connection refused'))];
    await sender.advance(pack(packId));
    clock += POLICY.maxAgeMs;
    await sender.advance(pack(packId));
    expect(platform.uploads).toHaveLength(1);
    expect(recorded(packId)).toMatchObject({ state: 'failed', lastErrorCode: 'retries-exhausted' });
    expect(statesOf(messageIds)).toEqual(['failed', 'failed']);
  });

  it('fails a pack whose signed file is gone, without calling the platform', async () => {
    const { packId, messageIds } = packedPack();
    rmSync(pack(packId).payloadPath);
    await sender.advance(pack(packId));
    expect(platform.uploads).toEqual([]);
    expect(recorded(packId)).toMatchObject({ state: 'failed', lastErrorCode: 'payload-missing' });
    expect(statesOf(messageIds)).toEqual(['failed', 'failed']);
  });
});
