import { CofferError, isCofferError } from "@coffer/core";

/** Settings of a {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive UNAVAILABLE failures that open the circuit; 0 disables the breaker. */
  failureThreshold: number;
  /** How long an open circuit fails calls without trying, in milliseconds. */
  cooldownMs: number;
  /** Provider name, for error details. */
  provider: string;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * Stops hammering a service that keeps failing: after `failureThreshold` consecutive
 * UNAVAILABLE errors, calls fail at once with UNAVAILABLE for `cooldownMs`; then one call is let
 * through (half-open) and its outcome closes or re-opens the circuit. Any answer from the
 * service, including NOT_FOUND or PERMISSION_DENIED, counts as a success.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** True while calls are refused without trying. */
  get isOpen(): boolean {
    return this.options.failureThreshold > 0 && this.now() < this.openUntil;
  }

  /**
   * Run `call` unless the circuit is open.
   * @throws CofferError UNAVAILABLE when the circuit is open; otherwise whatever `call` throws
   */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.isOpen) {
      const seconds = Math.ceil((this.openUntil - this.now()) / 1000);
      throw new CofferError(
        "UNAVAILABLE",
        `Azure Key Vault failed ${this.failures} times in a row; not trying again for ${seconds} s`,
        {
          provider: this.options.provider,
          retryAfterSeconds: seconds,
          hint: "check the vault URL, network and Azure status",
        },
      );
    }
    try {
      const result = await call();
      this.failures = 0;
      return result;
    } catch (err) {
      if (isCofferError(err, "UNAVAILABLE")) {
        this.failures += 1;
        if (this.options.failureThreshold > 0 && this.failures >= this.options.failureThreshold) {
          this.openUntil = this.now() + this.options.cooldownMs;
        }
      } else if (isCofferError(err) && err.code !== "INTERNAL") {
        this.failures = 0;
      }
      throw err;
    }
  }
}
