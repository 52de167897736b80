/** Backoff schedule of retries: exponential with full jitter, `Retry-After` honoured. */
export interface BackoffPolicy {
  /** First delay cap, in milliseconds. */
  baseDelayMs: number;
  /** Largest delay, in milliseconds. */
  maxDelayMs: number;
}

/**
 * Delay before retry number `retry` (0-based): a random time up to `base * 2^retry` (capped),
 * but never less than what the server asked for with `Retry-After` (also capped).
 */
export function retryDelayMs(
  policy: BackoffPolicy,
  retry: number,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = Math.floor(random() * ceiling);
  const asked = retryAfterMs === undefined ? 0 : Math.min(policy.maxDelayMs, retryAfterMs);
  return Math.max(jittered, asked);
}
