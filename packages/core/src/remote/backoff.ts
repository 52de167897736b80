/** Backoff schedule of the retries of a remote call. */
export interface BackoffPolicy {
  /** Upper bound of the first delay, in milliseconds; it doubles on each retry. */
  baseDelayMs: number;
  /** Largest computed delay, in milliseconds. */
  maxDelayMs: number;
  /** Longest `Retry-After` wait honoured, in milliseconds. @default maxDelayMs */
  maxRetryAfterMs?: number;
}

/**
 * Delay before retry number `retry` (0-based): exponential backoff with full jitter -- a random
 * time up to `baseDelayMs * 2^retry`, capped at `maxDelayMs` -- but never shorter than what the
 * service asked for with `Retry-After` (itself capped at `maxRetryAfterMs`).
 */
export function retryDelayMs(
  policy: BackoffPolicy,
  retry: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.max(0, Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
  const jittered = Math.floor(random() * ceiling);
  const cap = policy.maxRetryAfterMs ?? policy.maxDelayMs;
  const asked = retryAfterMs === undefined || !(retryAfterMs > 0) ? 0 : Math.min(cap, retryAfterMs);
  return Math.max(jittered, asked);
}

/** The part of an abort signal {@link backoffSleep} needs (DOM/Node and Azure SDK signals fit). */
export interface AbortSignalLike {
  /** True once aborted. */
  readonly aborted: boolean;
  /** Listen for the abort. */
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  /** Stop listening. */
  removeEventListener(type: "abort", listener: () => void): void;
}

/** Resolve after `ms` milliseconds, or at once when `signal` is (or becomes) aborted. */
export function backoffSleep(ms: number, signal?: AbortSignalLike): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
