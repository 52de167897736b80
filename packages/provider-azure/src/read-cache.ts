/**
 * A per-provider read cache with a time to live, in-flight de-duplication and invalidation by
 * group (one Azure secret name). A load that was already running when its group was invalidated
 * does not fill the cache, so a write is never followed by a stale cached read.
 */
export class ReadCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<T>>();
  private readonly generations = new Map<string, number>();

  /**
   * @param ttlMs how long a loaded value is served from memory; 0 disables caching (concurrent
   * identical loads are still shared)
   * @param now clock, for tests
   */
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private static key(group: string, item: string): string {
    return `${group}\u0000${item}`;
  }

  /** The cached value of (`group`, `item`), else the result of `load` (shared by concurrent callers). */
  async get(group: string, item: string, load: () => Promise<T>): Promise<T> {
    const key = ReadCache.key(group, item);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      if (hit.expiresAt > this.now()) return hit.value;
      this.entries.delete(key);
    }
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const generation = this.generations.get(group) ?? 0;
    const promise: Promise<T> = load().then(
      (value) => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
        if (this.ttlMs > 0 && (this.generations.get(group) ?? 0) === generation) {
          this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
        }
        return value;
      },
      (err: unknown) => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
        throw err;
      },
    );
    this.inflight.set(key, promise);
    return promise;
  }

  /** Forget everything cached for `group` and keep loads already running from caching their result. */
  invalidate(group: string): void {
    this.generations.set(group, (this.generations.get(group) ?? 0) + 1);
    const prefix = `${group}\u0000`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
    for (const key of [...this.inflight.keys()]) if (key.startsWith(prefix)) this.inflight.delete(key);
  }

  /** Forget everything. */
  clear(): void {
    for (const group of new Set(
      [...this.entries.keys(), ...this.inflight.keys()].map((key) => key.split("\u0000")[0]!),
    )) {
      this.invalidate(group);
    }
    this.entries.clear();
  }

  /** Number of values held (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }
}
