import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
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
import { SendingGate } from '../../src/schedule/SendingGate.js';
import { SendingHolds } from '../../src/outbound/SendingHolds.js';
import { MaintenanceWindows } from '../../src/store/MaintenanceWindows.js';
import { Problems } from '../../src/store/Problems.js';
import { SendingState } from '../../src/store/SendingState.js';
import { FAKE_PARTY, fakeSender, packOf } from '../helpers/fakeSender.js';
import { tempDir } from '../helpers/tempDir.js';

const PARTY = FAKE_PARTY;
const GATE = { marginBeforeMs: 0, marginAfterMs: 0, resumeJitterMs: 0, probeMs: 60_000 };
const silent = pino({ level: 'silent' });
const POLICY: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 4, maxAgeMs: 3600_000 };

/** What the fake platform does at each call, in order; a function may answer or throw. */
type Step<T> = () => T;

/** A platform that plays a script: each upload and each notification takes the next step of its list. */
class ScriptedPlatform {
  readonly uploads: string[] = [];
  readonly notifications: UploadNotification[] = [];
  uploadSteps: Array<Step<void>> = [];
  notifySteps: Array<Step<NotificationAnswer>> = [];
  certificateNotAfter = new Date('2099-01-01T00:00:00Z');

  sender(): Sender {
    const next = <T>(steps: Array<Step<T>>, what: string): T => {
      const step = steps.shift();
      if (!step) throw new Error(`the script has no ${what} left`);
      return step();
    };
    return fakeSender({
      upload: (path) => {
        this.uploads.push(path);
        next(this.uploadSteps, 'upload');
      },
      notify: (notification) => {
        this.notifications.push(notification);
        return next(this.notifySteps, 'notification');
      },
      certificateNotAfter: () => this.certificateNotAfter,
    });
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
  let windows: MaintenanceWindows;
  let gate: SendingGate;
  let breaker: CircuitBreaker;
  let holds: SendingHolds;

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
    windows = new MaintenanceWindows(store.db, now);
    gate = new SendingGate(
      windows,
      new SendingState(store.db, now),
      GATE,
      silent,
      async () => {},
      now,
      () => 0.5,
    );
    breaker = new CircuitBreaker(store.db, undefined, now);
    holds = new SendingHolds(store.db, new Problems(store.db, 'sending', now), [], silent, 60_000, now);
    sender = new PackSender(packs, senders, breaker, POLICY, settings, events, gate, holds, now, () => 0.5);
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  /** A pack of two queued messages, its signed file on disk. */
  const packedPack = () => packOf({ messages, packs }, dir.path, 1, 2);

  const pack = (id: number): PackRow => queries.packById(id)!;
  const problemCodes = () =>
    store.db.prepare("SELECT code FROM problems WHERE area = 'sending' AND resolved_at IS NULL ORDER BY id").pluck().all();
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
    platform.notifySteps = [refusedWith('E0201')];
    await sender.advance(pack(packId));
    expect(recorded(packId)).toMatchObject({ state: 'refused', lastErrorCode: 'E0201' });
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

  /** Advances the pack `times` times, each at its due time. */
  async function advanceAtDueTimes(packId: number, times: number): Promise<void> {
    for (let i = 0; i < times && ['packed', 'file-uploaded', 'unknown'].includes(pack(packId).state); i++) {
      clock = Math.max(clock, pack(packId).nextAttemptAt);
      await sender.advance(pack(packId));
    }
  }

  it('fails the pack once the platform has refused it as often as the budget allows, naming why', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = Array.from({ length: POLICY.maxAttempts }, () => () => {});
    platform.notifySteps = Array.from({ length: POLICY.maxAttempts }, () => refusedWith('E0999'));
    await advanceAtDueTimes(packId, POLICY.maxAttempts + 1);
    expect(platform.notifications).toHaveLength(POLICY.maxAttempts);
    expect(recorded(packId)).toMatchObject({ state: 'failed', lastErrorCode: 'E0999' });
    expect(statesOf(messageIds)).toEqual(['failed', 'failed']);
  });

  it('fails a pack the platform still refuses once the age budget is spent', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [refusedWith('E0999')];
    await sender.advance(pack(packId));
    clock += POLICY.maxAgeMs;
    await sender.advance(pack(packId));
    expect(platform.notifications).toHaveLength(1);
    expect(recorded(packId)).toMatchObject({ state: 'failed', lastErrorCode: 'retries-exhausted' });
    expect(statesOf(messageIds)).toEqual(['failed', 'failed']);
  });

  it('never fails a pack because the platform could not be reached, however long and however often', async () => {
    const { packId, messageIds } = packedPack();
    const down = throwing(new TransportError('sftp-connect', 'connection refused'));
    platform.uploadSteps = Array.from({ length: POLICY.maxAttempts * 3 }, () => down);
    await advanceAtDueTimes(packId, POLICY.maxAttempts * 3);
    clock += 10 * POLICY.maxAgeMs;
    await advanceAtDueTimes(packId, 0);
    expect(platform.uploads).toHaveLength(POLICY.maxAttempts * 3);
    expect(recorded(packId)).toMatchObject({ state: 'packed', lastErrorCode: 'sftp-connect' });
    expect(store.db.prepare('SELECT counted_failures FROM packs').pluck().get()).toBe(0);
    expect(breaker.snapshot().state).toBe('open'); // the outage is the breaker's business
    expect(statesOf(messageIds)).toEqual(['packed', 'packed']);
  });

  it('takes a 503 with a maintenance notice as a window: no budget, no breaker, the next try after its end', async () => {
    const { packId } = packedPack();
    const end = clock + 3 * 3600_000;
    const body = JSON.stringify({
      statusCode: 503,
      statusDetail: [{ code: 'maintenance', description: '系統維護', parameter: ['x', new Date(end).toISOString()] }],
    });
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [throwing(new TransportError('gateway-maintenance', '503', { httpStatus: 503, body }))];
    await sender.advance(pack(packId));
    expect(recorded(packId)).toMatchObject({ state: 'file-uploaded', lastErrorCode: 'gateway-maintenance' });
    expect(recorded(packId).nextAttemptAt).toBeGreaterThanOrEqual(end);
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(store.db.prepare('SELECT counted_failures FROM packs').pluck().get()).toBe(0);
    expect(gate.update()).toMatchObject({ state: 'paused', window: { origin: 'platform', reason: '系統維護', endsAt: end } });
  });

  it('counts a bare 503 as an outage for the breaker, not against the budget', async () => {
    const { packId } = packedPack();
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [throwing(new TransportError('gateway-maintenance', '503', { httpStatus: 503, body: 'Service Unavailable' }))];
    await sender.advance(pack(packId));
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
    expect(store.db.prepare('SELECT counted_failures FROM packs').pluck().get()).toBe(0);
    expect(gate.update()).toEqual({ state: 'sending' });
  });

  it('holds the transport account when its login is refused, and sends nothing more until a login works', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = [throwing(new TransportError('sftp-auth', 'authentication failed'))];
    await sender.advance(pack(packId));
    expect(problemCodes()).toEqual(['login-refused']);
    clock = pack(packId).nextAttemptAt;
    await sender.advance(pack(packId));
    expect(platform.uploads).toHaveLength(1); // held: no second attempt
    expect(pack(packId).nextAttemptAt).toBeGreaterThan(clock);
    holds.releaseTransport('T1');
    clock = pack(packId).nextAttemptAt;
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [accepted];
    await sender.advance(pack(packId));
    expect(statesOf(messageIds)).toEqual(['uploaded', 'uploaded']);
    expect(problemCodes()).toEqual([]);
    expect(store.db.prepare('SELECT counted_failures FROM packs').pluck().get()).toBe(0);
  });

  it("postpones every due pack of a held sender in one write, and none of another sender's", async () => {
    const held = [packedPack(), packOf({ messages, packs }, dir.path, 3, 1), packOf({ messages, packs }, dir.path, 4, 1)];
    const later = packOf({ messages, packs }, dir.path, 5, 1);
    const other = packOf({ messages, packs }, dir.path, 6, 1);
    store.db.prepare("UPDATE packs SET from_party_id = '99999999' WHERE id = ?").run(other.packId);
    store.db.prepare('UPDATE packs SET next_attempt_at = ? WHERE id = ?').run(clock + 3_600_000, later.packId);
    holds.holdTransport('T1', 'login-refused', 'authentication failed');
    const changesBefore = store.db.prepare('SELECT total_changes()').pluck().get() as number;
    await sender.advance(pack(held[0]!.packId));
    expect(platform.uploads).toEqual([]);
    expect(held.map((p) => recorded(p.packId).nextAttemptAt)).toEqual([clock + 10_000, clock + 10_000, clock + 10_000]);
    expect(recorded(later.packId).nextAttemptAt).toBe(clock + 3_600_000);
    expect(recorded(other.packId).nextAttemptAt).toBeLessThanOrEqual(clock);
    // The three rows, and nothing else, were written.
    expect((store.db.prepare('SELECT total_changes()').pluck().get() as number) - changesBefore).toBe(3);
  });

  it('holds the transport account when the gateway presents an untrusted certificate: no budget spent, no breaker', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [throwing(new TransportError('gateway-tls', 'DEPTH_ZERO_SELF_SIGNED_CERT'))];
    await sender.advance(pack(packId));
    expect(problemCodes()).toEqual(['gateway-untrusted']);
    expect(breaker.snapshot().consecutiveFailures).toBe(0);
    expect(store.db.prepare('SELECT counted_failures FROM packs').pluck().get()).toBe(0);
    // A working SFTP login says nothing of the gateway's certificate: the hold stays until a restart (after the fix) lifts it.
    holds.releaseTransport('T1');
    expect(problemCodes()).toEqual(['gateway-untrusted']);
    holds.releaseSenders();
    clock = pack(packId).nextAttemptAt;
    platform.notifySteps = [accepted];
    await sender.advance(pack(packId));
    expect(statesOf(messageIds)).toEqual(['uploaded', 'uploaded']);
    expect(problemCodes()).toEqual([]);
  });

  it('takes a refused login during an announced window as the window, not as a refused password', async () => {
    const { packId } = packedPack();
    const end = clock + 3600_000;
    windows.add('feed', 'https://feed.invalid/announcements', { startsAt: clock - 60_000, endsAt: end, reason: 'yearly upgrade' });
    platform.uploadSteps = [throwing(new TransportError('sftp-auth', 'authentication failed'))];
    await sender.advance(pack(packId));
    expect(problemCodes()).toEqual([]);
    expect(recorded(packId).nextAttemptAt).toBeGreaterThanOrEqual(end);
    expect(breaker.snapshot().consecutiveFailures).toBe(0);
  });

  it('holds the sender when the platform cannot verify its signature (E0004), rejecting nothing', async () => {
    const { packId, messageIds } = packedPack();
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [refusedWith('E0004')];
    await sender.advance(pack(packId));
    expect(recorded(packId)).toMatchObject({ state: 'file-uploaded', lastErrorCode: 'E0004' });
    expect(statesOf(messageIds)).toEqual(['packed', 'packed']);
    expect(problemCodes()).toEqual(['certificate-not-registered']);
    clock = pack(packId).nextAttemptAt;
    await sender.advance(pack(packId));
    expect(platform.notifications).toHaveLength(1);
  });

  it('sends nothing signed by an expired certificate', async () => {
    const { packId } = packedPack();
    platform.certificateNotAfter = new Date(clock - 1000);
    await sender.advance(pack(packId));
    expect(platform.uploads).toEqual([]);
    expect(problemCodes()).toEqual(['certificate-expired']);
    expect(recorded(packId).attempts).toBe(0);
  });

  it('fails a pack whose signed file is gone, without calling the platform', async () => {
    const { packId, messageIds } = packedPack();
    rmSync(pack(packId).payloadPath);
    await sender.advance(pack(packId));
    expect(platform.uploads).toEqual([]);
    expect(recorded(packId)).toMatchObject({ state: 'failed', lastErrorCode: 'payload-missing' });
    expect(statesOf(messageIds)).toEqual(['failed', 'failed']);
  });

  it("does not count the platform's own trouble (E0001, E0002) against the budget", async () => {
    const { packId } = packedPack();
    platform.uploadSteps = [() => {}];
    platform.notifySteps = Array.from({ length: POLICY.maxAttempts * 2 }, (_, i) => refusedWith(i % 2 ? 'E0001' : 'E0002'));
    await advanceAtDueTimes(packId, POLICY.maxAttempts * 2);
    expect(recorded(packId)).toMatchObject({ state: 'file-uploaded' });
    expect(store.db.prepare('SELECT counted_failures FROM packs').pluck().get()).toBe(0);
  });

  it('starts the age budget again after an outage: time the platform could not answer never counts', async () => {
    const { packId } = packedPack();
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [
      refusedWith('E0999'), // answered: the age budget starts
      throwing(new TransportError('gateway-connect', 'connection refused')), // an outage: it starts again
      refusedWith('E0999'),
    ];
    await sender.advance(pack(packId));
    clock += POLICY.maxAgeMs / 2;
    await sender.advance(pack(packId));
    clock += POLICY.maxAgeMs * 2; // a long outage
    await sender.advance(pack(packId));
    expect(recorded(packId).state).toBe('file-uploaded');
    expect(store.db.prepare('SELECT counted_failures FROM packs').pluck().get()).toBe(2);
  });

  it('rejects a pack signed by a certificate the sender no longer uses when the platform refuses its signature', async () => {
    const { packId, messageIds } = packOf({ messages, packs }, dir.path, 1, 2, 'OLD:CERT');
    platform.uploadSteps = [() => {}];
    platform.notifySteps = [refusedWith('E0004')];
    await sender.advance(pack(packId));
    expect(recorded(packId)).toMatchObject({ state: 'refused', lastErrorCode: 'E0004' });
    expect(statesOf(messageIds)).toEqual(['rejected', 'rejected']);
    expect(problemCodes()).toEqual([]); // the sender's current certificate is not in question
  });

  it('lifts a sender’s hold at start (the operator registered or replaced the certificate), and keeps an account’s', () => {
    holds.holdSender(platform.sender(), 'certificate-not-registered', 'E0004');
    holds.holdTransport('T1', 'login-refused', 'authentication failed');
    holds.releaseSenders();
    expect(problemCodes()).toEqual(['login-refused']);
  });
});
