import { CofferError, isCofferError } from "../errors/index.js";

/** Settings of a {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Provider instance name, put in the open-circuit error and its details. */
  provider: string;
  /** Name of the remote service in messages, for example `AWS Secrets Manager`. */
  service: string;
  /** Consecutive failed calls that open the circuit; 0 disables the breaker. */
  failureThreshold: number;
  /** How long an open circuit fails calls without trying, in milliseconds. */
  cooldownMs: number;
  /** Advice added to the open-circuit error as `details.hint`. @default none */
  hint?: string;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * A consecutive-failure circuit breaker shared by the remote providers. After `failureThreshold`
 * failed calls in a row it opens for `cooldownMs`, during which calls fail at once with
 * UNAVAILABLE instead of reaching the service. After the cool-down calls go through again: a
 * success closes the circuit, and a failure opens it again at once (the failure count stays at
 * or over the threshold until a success).
 *
 * A call "failed" when it ended UNAVAILABLE (after its retries); any other answer of the service
 * -- NOT_FOUND and PERMISSION_DENIED included -- is a success.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private readonly options: CircuitBreakerOptions;
  private readonly now: () => number;

  constructor(options: CircuitBreakerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** True while calls are refused without trying. */
  get isOpen(): boolean {
    return this.remainingOpenMs() > 0;
  }

  /** Milliseconds left before calls are let through again; 0 when closed or cooled down. */
  remainingOpenMs(): number {
    if (this.options.failureThreshold <= 0) return 0;
    return Math.max(0, this.openUntil - this.now());
  }

  /** Consecutive failures recorded since the last success. */
  consecutiveFailures(): number {
    return this.failures;
  }

  /**
   * Fail at once when the circuit is open.
   * @throws CofferError UNAVAILABLE with `details.rule: "circuit-breaker"`, `retryAfterMs` and `retryAfterSeconds`
   */
  assertClosed(): void {
    const openMs = this.remainingOpenMs();
    if (openMs <= 0) return;
    const seconds = Math.ceil(openMs / 1000);
    const { provider, service, hint } = this.options;
    throw new CofferError(
      "UNAVAILABLE",
      `${provider}: ${service} failed ${this.failures} calls in a row; failing fast, not trying again for ${seconds} s`,
      {
        provider,
        rule: "circuit-breaker",
        retryAfterMs: openMs,
        retryAfterSeconds: seconds,
        ...(hint === undefined ? {} : { hint }),
      },
    );
  }

  /** Record a call the service answered (whatever the answer): closes the circuit. */
  recordSuccess(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  /** Record a call that ended UNAVAILABLE after its retries: may open the circuit. */
  recordFailure(): void {
    this.failures += 1;
    const { failureThreshold, cooldownMs } = this.options;
    if (failureThreshold > 0 && this.failures >= failureThreshold) this.openUntil = this.now() + cooldownMs;
  }

  /**
   * Run `call` through the breaker: refused while open; an UNAVAILABLE CofferError counts as a
   * failure, any other CofferError except INTERNAL as an answer of the service, and anything
   * else (a bug, not the service) changes nothing.
   * @throws CofferError UNAVAILABLE when the circuit is open; otherwise whatever `call` throws
   */
  async run<T>(call: () => Promise<T>): Promise<T> {
    this.assertClosed();
    try {
      const result = await call();
      this.recordSuccess();
      return result;
    } catch (err) {
      if (isCofferError(err, "UNAVAILABLE")) this.recordFailure();
      else if (isCofferError(err) && err.code !== "INTERNAL") this.recordSuccess();
      throw err;
    }
  }
}
