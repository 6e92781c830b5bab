import { describe, expect, it } from 'vitest';
import { budgetExhausted, retryDelayMs, type RetryPolicy } from '../../src/outbound/retryPolicy.js';

const policy: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 60_000, maxAttempts: 5, maxAgeMs: 3600_000 };

describe('retry policy', () => {
  it('doubles the delay per attempt, half of it jittered', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(policy, a, 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => retryDelayMs(policy, a, 0.999999))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never waits longer than the maximum delay', () => {
    expect(retryDelayMs(policy, 40, 0.999999)).toBe(60_000);
  });

  it('gives up after the answered-failure budget or the age budget, whichever comes first', () => {
    expect(budgetExhausted(policy, 4, 0, 1000)).toBe(false);
    expect(budgetExhausted(policy, 5, 0, 1000)).toBe(true);
    expect(budgetExhausted(policy, 1, 0, 3600_000)).toBe(true);
  });

  it('never gives up on a pack the platform never answered, however old', () => {
    expect(budgetExhausted(policy, 0, null, 60 * 3600_000)).toBe(false);
  });
});
