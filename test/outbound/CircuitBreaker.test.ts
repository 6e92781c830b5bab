import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/outbound/CircuitBreaker.js';
import { Store } from '../../src/store/Store.js';
import { tempDir } from '../helpers/tempDir.js';

describe('circuit breaker', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let now = 0;
  const settings = { failureThreshold: 3, openMs: 1000, maxOpenMs: 3000 };

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(`${dir.path}/t.db`);
    now = 1_000_000;
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });
  const breaker = () => new CircuitBreaker(store.db, settings, () => now);

  it('opens after the threshold of consecutive failures and lets nothing through while open', () => {
    const b = breaker();
    b.failed('sftp-connect');
    b.failed('sftp-connect');
    expect(b.permit()).toBe('attempt');
    b.failed('gateway-503');
    expect(b.snapshot()).toMatchObject({ state: 'open', consecutiveFailures: 3, lastErrorCode: 'gateway-503', retryAt: now + 1000 });
    expect(b.permit()).toBe('wait');
  });

  it('lets one probe through after the open time, and only one', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed('sftp-connect');
    now += 1000;
    expect(b.permit()).toBe('probe');
    expect(b.permit()).toBe('wait');
    b.succeeded();
    expect(b.snapshot().state).toBe('closed');
    expect(b.permit()).toBe('attempt');
  });

  it('doubles the open time after a failed probe, up to the maximum', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed('sftp-connect');
    now += 1000;
    b.permit();
    b.failed('sftp-connect');
    expect(b.snapshot().retryAt).toBe(now + 2000);
    now += 2000;
    b.permit();
    b.failed('sftp-connect');
    expect(b.snapshot().retryAt).toBe(now + 3000);
  });

  it('is kept in the store: a new process sees it open', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed('gateway-reset');
    expect(breaker().permit()).toBe('wait');
  });

  it('resets the failure count when the platform answers', () => {
    const b = breaker();
    b.failed('sftp-connect');
    b.failed('sftp-connect');
    b.succeeded();
    b.failed('sftp-connect');
    expect(b.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
  });

  it('lets another probe through when one ended without reaching the platform', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed('sftp-connect');
    now += 1000;
    expect(b.permit()).toBe('probe');
    expect(b.permit()).toBe('wait'); // one probe at a time
    b.release(); // its sender was held, or a window began: no verdict
    expect(b.snapshot().state).toBe('half-open');
    expect(b.permit()).toBe('probe');
    expect(b.succeeded()).toBe(true); // an outage ended
    expect(b.succeeded()).toBe(false);
  });
});
