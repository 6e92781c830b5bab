/**
 * When to try again. Exponential backoff with jitter up to a maximum delay, and a budget (a number
 * of answered failures and an age) after which the messages go to `failed` and an operator is told.
 * Pure: the scheduler stores the result as `next_attempt_at`; nothing waits in memory.
 */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failed attempts the platform answered before giving up. */
  maxAttempts: number;
  /** Time since the first answered failure before giving up, whatever their count. */
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

/**
 * Whether a pack has spent its budget: only failures the platform answered count (a refusal that is
 * not about the content, an HTTP 4xx, an answer that cannot be read). An outage or a maintenance
 * window, however long, spends nothing: the platform could not have answered.
 */
export function budgetExhausted(policy: RetryPolicy, countedFailures: number, firstCountedFailureAt: number | null, now: number): boolean {
  if (countedFailures >= policy.maxAttempts) return true;
  return firstCountedFailureAt !== null && now - firstCountedFailureAt >= policy.maxAgeMs;
}
