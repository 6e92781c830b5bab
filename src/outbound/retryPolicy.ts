/**
 * When to try again. Exponential backoff with full jitter up to a maximum delay, and a budget (a
 * number of attempts and an age) after which the messages go to `failed` and an operator is told.
 * Pure: the scheduler stores the result as `next_attempt_at`; nothing waits in memory.
 */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts (of any stage) before giving up. */
  maxAttempts: number;
  /** Age of the pack before giving up, whatever the attempt count. */
  maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 2_000,
  maxDelayMs: 10 * 60_000,
  maxAttempts: 50,
  maxAgeMs: 48 * 3600_000,
};

/**
 * The delay before attempt `attempt + 1`, after `attempt` failures (1-based). `random` is in [0, 1).
 * Half of the delay is fixed and half random, so retries spread out but never come back at once.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random);
}

export function budgetExhausted(policy: RetryPolicy, attempts: number, firstAttemptAt: number, now: number): boolean {
  return attempts >= policy.maxAttempts || now - firstAttemptAt >= policy.maxAgeMs;
}
