/** One key's count in its current window. */
export interface WindowCount {
  /** Requests counted in the window, this one included. */
  count: number;
  /** When the window ends (ms since the epoch, per the counters' clock). */
  resetAt: number;
}

/**
 * Fixed-window request counters per key (client address, token), kept in memory and bounded:
 * expired windows are dropped as new ones open, and past `maxKeys` the window that ends first is
 * dropped. Synchronous, so counting costs no promise on the request path.
 */
export class WindowCounters {
  readonly #windows = new Map<string, WindowCount>();
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(windowMs: number, maxKeys: number, now: () => number) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
    this.#now = now;
  }

  /** Count one request under `key`. */
  hit(key: string): WindowCount {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      // Windows are kept in the order they opened, so the ones that ended are at the front.
      if (window !== undefined) this.#windows.delete(key);
      for (const [k, w] of this.#windows) {
        if (w.resetAt > now && this.#windows.size < this.#maxKeys) break;
        this.#windows.delete(k);
      }
      window = { count: 0, resetAt: now + this.#windowMs };
      this.#windows.set(key, window);
    }
    window.count++;
    return window;
  }

  /** Seconds until `window` ends, at least 1 (for `Retry-After`). */
  secondsLeft(window: WindowCount): number {
    return Math.max(1, Math.ceil((window.resetAt - this.#now()) / 1000));
  }
}
