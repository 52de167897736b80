/** A cached read and how old it is. */
export interface CachedRead<T> {
  /** The cached value. */
  value: T;
  /** Milliseconds since it was fetched from AWS. */
  ageMs: number;
}

/** Hit and miss counters of a {@link ReadCache}. */
export interface ReadCacheStats {
  /** Reads answered from memory (including joins of an in-flight fetch). */
  hits: number;
  /** Reads that went to AWS. */
  misses: number;
}

interface Entry<T> {
  value: T;
  storedAt: number;
}

/**
 * In-memory cache of reads with a TTL, de-duplication of concurrent fetches of the same key, and
 * invalidation by group (one AWS secret). A fetch that started before an invalidation never
 * stores its (possibly stale) result. A TTL of 0 disables caching but still de-duplicates.
 */
export class ReadCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly inFlight = new Map<string, { group: string; promise: Promise<CachedRead<T>> }>();
  private readonly generations = new Map<string, number>();
  private readonly counters: ReadCacheStats = { hits: 0, misses: 0 };

  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.now = now;
  }

  private fresh(key: string): Entry<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The cached value of `key` with its age, if fresh. */
  peek(key: string): CachedRead<T> | undefined {
    const entry = this.fresh(key);
    return entry ? { value: entry.value, ageMs: this.now() - entry.storedAt } : undefined;
  }

  /** Read `key` from memory, or join the fetch in flight, or fetch it with `load`. */
  async read(key: string, group: string, load: () => Promise<T>): Promise<CachedRead<T>> {
    const cached = this.peek(key);
    if (cached) {
      this.counters.hits++;
      return cached;
    }
    const running = this.inFlight.get(key);
    if (running) {
      this.counters.hits++;
      return running.promise;
    }
    this.counters.misses++;
    const generation = this.generations.get(group) ?? 0;
    const flight = { group, promise: undefined as unknown as Promise<CachedRead<T>> };
    flight.promise = (async () => {
      try {
        const value = await load();
        if ((this.generations.get(group) ?? 0) === generation) this.store(key, value);
        return { value, ageMs: 0 };
      } finally {
        if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, flight);
    return flight.promise;
  }

  /** Store a value fetched elsewhere (a batch read). */
  store(key: string, value: T): void {
    if (this.ttlMs > 0) this.entries.set(key, { value, storedAt: this.now() });
  }

  /** Invalidation counter of `group`; pass it to {@link storeIfUnchanged}. */
  generation(group: string): number {
    return this.generations.get(group) ?? 0;
  }

  /** Store a value fetched elsewhere unless `group` was invalidated since `generation` was read. */
  storeIfUnchanged(key: string, group: string, generation: number, value: T): void {
    if (this.generation(group) === generation) this.store(key, value);
  }

  /** Count a hit answered by the caller from {@link peek}. */
  countHit(): void {
    this.counters.hits++;
  }

  /** Count a miss fetched by the caller (a batch read). */
  countMiss(): void {
    this.counters.misses++;
  }

  /** Drop every entry of `group` and make fetches in flight for it not store their result. */
  invalidate(group: string): void {
    this.generations.set(group, (this.generations.get(group) ?? 0) + 1);
    const mark = `${group}#`;
    for (const key of this.entries.keys()) if (key.startsWith(mark)) this.entries.delete(key);
    for (const [key, running] of this.inFlight) if (running.group === group) this.inFlight.delete(key);
  }

  /** Drop everything. */
  clear(): void {
    for (const group of new Set([...this.generations.keys(), ...[...this.inFlight.values()].map((r) => r.group)])) {
      this.generations.set(group, (this.generations.get(group) ?? 0) + 1);
    }
    this.entries.clear();
    this.inFlight.clear();
  }

  /** Hit and miss counters since creation. */
  stats(): ReadCacheStats {
    return { ...this.counters };
  }
}
