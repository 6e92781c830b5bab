import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../../src/outbound/CircuitBreaker.js';
import { OutboundService } from '../../src/outbound/OutboundService.js';
import type { Packer } from '../../src/outbound/Packer.js';
import { PackSender } from '../../src/outbound/PackSender.js';
import { SendingHolds } from '../../src/outbound/SendingHolds.js';
import { DownCastWriter } from '../../src/results/DownCastWriter.js';
import { ResultCollector } from '../../src/results/ResultCollector.js';
import { ResultInbox } from '../../src/results/ResultInbox.js';
import { SendingGate } from '../../src/schedule/SendingGate.js';
import { summaryResultXml } from '../../src/sim/results/summaryResultXml.js';
import { MaintenanceWindows } from '../../src/store/MaintenanceWindows.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { OutboundQueries } from '../../src/store/OutboundQueries.js';
import { PackTransitions } from '../../src/store/PackTransitions.js';
import { Problems } from '../../src/store/Problems.js';
import { ReceivedFiles } from '../../src/store/ReceivedFiles.js';
import { SendingState } from '../../src/store/SendingState.js';
import { Store } from '../../src/store/Store.js';
import type { UploadNotification } from '../../src/transport/gateway/GatewayClient.js';
import { TransportError } from '../../src/transport/TransportError.js';
import { InlineFileInspector } from '../../src/intake/FileInspector.js';
import { Validator } from '../../src/validation/Validator.js';
import { FAKE_PARTY, fakeSender, packOf } from '../helpers/fakeSender.js';
import { tempDir } from '../helpers/tempDir.js';

const HOUR = 3600_000;
const MINUTE = 60_000;
const silent = pino({ level: 'silent' });

/**
 * The platform as the sending loop meets it, on a clock the test moves: down or up by the hour, and
 * once up it accepts every notification and puts an all-Good SummaryResult in out/.
 */
class Platform {
  readonly out = new Map<string, Buffer>();
  readonly uploadsAt: number[] = [];
  readonly notificationsAt: number[] = [];
  /** How long an upload takes, on the test's clock. */
  uploadMs = 0;
  constructor(
    private readonly condition: (at: number) => 'up' | 'down' | 'login-refused',
    private readonly numbersOf: (commonName: string) => string[],
  ) {}

  sender() {
    return fakeSender({
      upload: async () => {
        this.uploadsAt.push(Date.now());
        if (this.uploadMs > 0) await new Promise((resolve) => setTimeout(resolve, this.uploadMs));
        const now = this.condition(Date.now());
        if (now === 'down') throw new TransportError('sftp-connect', 'connection refused');
        if (now === 'login-refused') throw new TransportError('sftp-auth', 'authentication failed');
      },
      notify: (n) => {
        this.notificationsAt.push(Date.now());
        if (this.condition(Date.now()) !== 'up') throw new TransportError('gateway-connect', 'connection refused');
        this.out.set(`${n.filename}-SummaryResult`, this.result(n));
        return { statusCode: 0, statusDetail: [] };
      },
      link: {
        list: async () => [...this.out].map(([name, bytes]) => ({ name, size: bytes.length, modifiedAt: 0 })),
        download: async (path) => this.out.get(path.replace(/^out\//, ''))!,
        remove: async (path) => void this.out.delete(path.replace(/^out\//, '')),
      },
    });
  }

  private result(n: UploadNotification): Buffer {
    return summaryResultXml({
      routing: {
        from: { partyId: '0000000000' },
        fromVac: { routingId: '0000000000' },
        to: { partyId: FAKE_PARTY },
        toVac: { routingId: FAKE_PARTY },
      },
      messageId: n.filename,
      size: n.size,
      messageType: n.messageType,
      serviceType: 'S',
      action: n.action,
      quantity: n.quantity,
      packCode: null,
      packReason: null,
      decisions: this.numbersOf(n.filename).map((number, i) => ({
        seq: i + 1,
        messageType: 'F0401',
        number,
        date: '20250101',
        invoiceIdentifier: null,
        sellerId: FAKE_PARTY,
        contentSha256: 'x',
        decision: 'accepted',
        code: '0000',
        reason: null,
        findingCode: null,
      })),
    });
  }
}

describe('OutboundService', () => {
  let validator: Validator;
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let service: OutboundService | null;

  beforeAll(async () => {
    validator = await Validator.create();
  });
  afterAll(() => validator.dispose());
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    service = null;
    vi.useFakeTimers({ now: Date.parse('2026-12-18T00:00:00Z') });
  });
  afterEach(async () => {
    await service?.stop();
    vi.useRealTimers();
    store.close();
    dir.cleanup();
  });

  /** The sending loop with its real parts, on the fake clock, against `up`. */
  function sendingLoop(
    condition: (at: number) => 'up' | 'down' | 'login-refused',
    readAnnouncements: (windows: MaintenanceWindows) => void = () => {},
  ) {
    const db = store.db;
    const messages = new MessageTransitions(db);
    const packs = new PackTransitions(db, messages);
    const queries = new OutboundQueries(db);
    const platform = new Platform(condition, (name) => queries.messagesOf(queries.packByCommonName(name)!.id).map((m) => m.invoiceNumber!));
    const sender = platform.sender();
    const windows = new MaintenanceWindows(db);
    const gate = new SendingGate(
      windows,
      new SendingState(db),
      { marginBeforeMs: 5 * MINUTE, marginAfterMs: 5 * MINUTE, resumeJitterMs: MINUTE, probeMs: MINUTE },
      silent,
      async () => readAnnouncements(windows),
    );
    const breaker = new CircuitBreaker(db, { failureThreshold: 5, openMs: 30_000, maxOpenMs: 10 * MINUTE });
    const holds = new SendingHolds(db, new Problems(db, 'sending'), [sender.transport], silent, 10 * MINUTE);
    const packSender = new PackSender(
      packs,
      { byParty: () => sender },
      breaker,
      { baseDelayMs: 2_000, maxDelayMs: 10 * MINUTE, maxAttempts: 50, maxAgeMs: 48 * HOUR },
      { toPartyId: '0000000000', toRoutingId: '0000000000', actions: {}, apiVersion: '3.1.3', turnkeyVersion: '3.2.1' },
      { changes: () => {}, attempt: () => {}, notified: () => service?.pollResultsSoon() },
      gate,
      holds,
    );
    const collector = new ResultCollector(
      db,
      [sender.transport.link],
      new ResultInbox(join(dir.path, 'inbox')),
      new ReceivedFiles(db),
      queries,
      packs,
      new InlineFileInspector(validator, 1 << 20),
      { changes: () => {}, problem: () => {}, received: () => {}, packRefused: () => {} },
    );
    // Packing is not under test: the packs are made by the test.
    const packer = { cutDuePacks: () => undefined, removeUnrecordedFiles: () => 0 } as unknown as Packer;
    service = new OutboundService(
      { concurrency: 2, tickMs: 30_000, resultPollMs: 5 * MINUTE, resultPollSoonMs: 10_000 },
      queries,
      packs,
      packer,
      packSender,
      breaker,
      collector,
      new DownCastWriter(db, dir.path),
      silent,
      Date.now,
      null,
      new Problems(db, 'results'),
      gate,
      holds,
    );
    const made = [1, 101, 201].map((first) => packOf({ messages, packs }, dir.path, first, 3));
    return { platform, windows, breaker, made };
  }

  const states = () =>
    store.db.prepare('SELECT state, count(*) AS n FROM messages GROUP BY state').all() as Array<{ state: string; n: number }>;

  it('rides out a 60-hour outage: nothing fails, every message is confirmed once the platform is back', async () => {
    const start = Date.now();
    const { platform, breaker } = sendingLoop((at) => (at >= start + 60 * HOUR ? 'up' : 'down'));
    service!.start();
    for (let hour = 0; hour < 60; hour++) await vi.advanceTimersByTimeAsync(HOUR);
    expect(states()).toEqual([{ state: 'packed', n: 9 }]);
    expect(breaker.snapshot().state).not.toBe('closed');
    // The breaker kept probing, at its longest interval, all along.
    const lastHour = platform.uploadsAt.filter((t) => t >= start + 59 * HOUR).length;
    expect(lastHour).toBeGreaterThanOrEqual(5);
    expect(lastHour).toBeLessThanOrEqual(8);
    expect(store.db.prepare('SELECT max(counted_failures) FROM packs').pluck().get()).toBe(0);

    await vi.advanceTimersByTimeAsync(30 * MINUTE);
    expect(states()).toEqual([{ state: 'confirmed', n: 9 }]);
    expect(breaker.snapshot().state).toBe('closed');
  });

  it('applies a result received before a kill before it sends anything: its pack is not notified again', async () => {
    const { platform, made } = sendingLoop(() => 'up');
    const first = made[0]!;
    // Killed while notifying: the platform took the notification and wrote its result, which was
    // received (published and recorded) but not applied.
    const packs = new PackTransitions(store.db, new MessageTransitions(store.db));
    packs.fileUploaded(first.packId);
    packs.unknown(first.packId, 'file-uploaded', Date.now(), 'process-ended', 'the process ended while notifying the gateway');
    const notification = { filename: first.commonName, size: 10, messageType: 'F0401', action: 'C0401', quantity: 3 };
    const bytes = platform['result'](notification as UploadNotification);
    const name = `${first.commonName}-SummaryResult`;
    const published = new ResultInbox(join(dir.path, 'inbox')).publish(name, bytes);
    new ReceivedFiles(store.db).record({
      remoteName: name,
      kind: 'SummaryResult',
      size: bytes.length,
      sha256: published.sha256,
      localPath: published.path,
    });

    service!.start();
    await vi.advanceTimersByTimeAsync(MINUTE);
    const notified = store.db.prepare("SELECT count(*) FROM attempts WHERE pack_id = ? AND stage = 'notify'").pluck();
    expect(notified.get(first.packId)).toBe(0);
    expect(platform.uploadsAt).toHaveLength(2); // the other two packs
    expect(states()).toEqual([{ state: 'confirmed', n: 9 }]);
  });

  it('sends nothing inside an announced window, then sends the backlog and collects its results', async () => {
    const start = Date.now();
    const { platform, windows } = sendingLoop(() => 'up');
    windows.add('cli', 'cli', { startsAt: start + 10 * MINUTE, endsAt: start + 3 * HOUR, reason: 'yearly upgrade' });
    // The packs were cut during the window: the store has them before the loop starts, 20 minutes in.
    await vi.advanceTimersByTimeAsync(20 * MINUTE);
    service!.start();
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    expect(platform.uploadsAt).toEqual([]);
    expect(states()).toEqual([{ state: 'packed', n: 9 }]);
    expect(store.db.prepare('SELECT count(*) FROM attempts').pluck().get()).toBe(0);

    await vi.advanceTimersByTimeAsync(HOUR);
    // Resumes after the end, the margin and the random wait (at most a minute), never before.
    expect(Math.min(...platform.uploadsAt)).toBeGreaterThanOrEqual(start + 3 * HOUR + 5 * MINUTE);
    expect(states()).toEqual([{ state: 'confirmed', n: 9 }]);
    const kinds = store.db.prepare('SELECT kind FROM sending_events ORDER BY id').pluck().all();
    expect(kinds).toEqual(['window-added', 'paused', 'window-over', 'resumed']);
  });

  it('comes back after an outage that turns into a window it learns of from a refused login', async () => {
    const start = Date.now();
    const windowStart = start + 2 * HOUR;
    const windowEnd = start + 3 * HOUR;
    const { breaker } = sendingLoop(
      (at) => (at < windowStart ? 'down' : at < windowEnd ? 'login-refused' : 'up'),
      // The feed announces the window once it is near (read again when a login is refused).
      (windows) => {
        if (Date.now() >= windowStart && windows.list().length === 0) {
          windows.add('feed', 'feed', { startsAt: windowStart, endsAt: windowEnd, reason: 'upgrade' });
        }
      },
    );
    service!.start();
    await vi.advanceTimersByTimeAsync(2.5 * HOUR);
    expect(breaker.snapshot().state).not.toBe('closed');
    expect(store.db.prepare("SELECT count(*) FROM problems WHERE code = 'login-refused'").pluck().get()).toBe(0);
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(states()).toEqual([{ state: 'confirmed', n: 9 }]);
    expect(breaker.snapshot().state).toBe('closed');
  });

  it('stops sending when a window begins, packs in flight or not, and goes on after it', async () => {
    const start = Date.now();
    const { platform, windows } = sendingLoop(() => 'up');
    // Two packs upload for ten minutes each (two at a time); sending stops at 7 minutes (the margin before 12).
    platform.uploadMs = 10 * MINUTE;
    windows.add('cli', 'cli', { startsAt: start + 12 * MINUTE, endsAt: start + 2 * HOUR, reason: 'planned' });
    service!.start();
    await vi.advanceTimersByTimeAsync(3 * HOUR);
    expect(platform.uploadsAt.slice(0, 2)).toEqual([start, start]);
    // The third waited for the window's end (and its margin), though a slot freed at 10 minutes.
    expect(platform.uploadsAt[2]).toBeGreaterThanOrEqual(start + 2 * HOUR + 5 * MINUTE);
    expect(states()).toEqual([{ state: 'confirmed', n: 9 }]);
  });
});
