/**
 * A consecutive-failure circuit breaker. After `threshold` consecutive failed calls it opens for
 * `cooldownMs`, during which callers fail fast. After the cool-down, calls go through again; the
 * first success closes it, another failure re-opens it at once (the failure count stays over the
 * threshold until a success).
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(threshold: number, cooldownMs: number, now: () => number = Date.now) {
    this.threshold = threshold;
    this.cooldownMs = cooldownMs;
    this.now = now;
  }

  /** Milliseconds left before calls are allowed again; 0 when closed or cooled down. */
  remainingOpenMs(): number {
    return Math.max(0, this.openUntil - this.now());
  }

  /** Record a call that reached the service (whatever it answered). */
  recordSuccess(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  /** Record a call that failed as UNAVAILABLE after its retries. */
  recordFailure(): void {
    this.failures++;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
  }

  /** Consecutive failures recorded so far. */
  consecutiveFailures(): number {
    return this.failures;
  }
}
