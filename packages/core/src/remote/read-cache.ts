/** A read answered by a {@link ReadCache}, with how old it is. */
export interface CachedRead<T> {
  /** The value. */
  value: T;
  /** Milliseconds since it was fetched from the remote service (0 for a fetch made now). */
  ageMs: number;
  /** True when answered from memory; false when fetched now (or joined to a fetch in flight). */
  fromCache: boolean;
}

/** Counters of a {@link ReadCache}. */
export interface ReadCacheStats {
  /** Reads answered from memory, including joins of a fetch in flight. */
  hits: number;
  /** Reads that went to the remote service. */
  misses: number;
  /** Values held now. */
  size: number;
}

interface Entry<T> {
  value: T;
  storedAt: number;
}

interface Flight<T> {
  promise: Promise<CachedRead<T>>;
}

/**
 * The in-memory read cache of one remote provider instance: values live for `ttlMs`, concurrent
 * reads of the same item share one fetch, and items are grouped (one group per remote secret)
 * so a write through the provider invalidates every cached read of that secret. A fetch that was
 * in flight when its group was invalidated never stores its (possibly stale) result. Failures
 * are never cached. A TTL of 0 turns caching off but still shares concurrent fetches.
 */
export class ReadCache<T> {
  private readonly entries = new Map<string, Map<string, Entry<T>>>();
  private readonly inFlight = new Map<string, Map<string, Flight<T>>>();
  private readonly generations = new Map<string, number>();
  private hits = 0;
  private misses = 0;
  private readonly ttlMs: number;
  private readonly now: () => number;

  /**
   * @param ttlMs how long a fetched value is served from memory, in milliseconds; 0 disables caching
   * @param now clock, for tests
   */
  constructor(ttlMs: number, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.now = now;
  }

  private fresh(group: string, item: string): Entry<T> | undefined {
    const items = this.entries.get(group);
    const entry = items?.get(item);
    if (!items || !entry) return undefined;
    if (this.now() - entry.storedAt < this.ttlMs) return entry;
    items.delete(item);
    if (items.size === 0) this.entries.delete(group);
    return undefined;
  }

  /** The cached value of (`group`, `item`) with its age, if fresh; counts nothing. */
  peek(group: string, item: string): CachedRead<T> | undefined {
    const entry = this.fresh(group, item);
    return entry ? { value: entry.value, ageMs: this.now() - entry.storedAt, fromCache: true } : undefined;
  }

  /**
   * Like {@link peek}, but counted as a hit or a miss: for batch readers that fetch the misses
   * themselves and store them with {@link storeIfUnchanged}.
   */
  lookup(group: string, item: string): CachedRead<T> | undefined {
    const cached = this.peek(group, item);
    if (cached) this.hits++;
    else this.misses++;
    return cached;
  }

  /**
   * The cached value of (`group`, `item`), or a join of the fetch in flight, or the result of
   * `load`. With `fresh`, always the result of a new `load` (which then replaces the cached value).
   */
  async read(
    group: string,
    item: string,
    load: () => Promise<T>,
    options: { fresh?: boolean } = {},
  ): Promise<CachedRead<T>> {
    if (!options.fresh) {
      const cached = this.peek(group, item);
      if (cached) {
        this.hits++;
        return cached;
      }
      const running = this.inFlight.get(group)?.get(item);
      if (running) {
        this.hits++;
        return running.promise;
      }
    }
    this.misses++;
    const generation = this.generation(group);
    const flight: Flight<T> = { promise: Promise.resolve(undefined as never) };
    flight.promise = (async () => {
      try {
        const value = await load();
        this.storeIfUnchanged(group, item, generation, value);
        return { value, ageMs: 0, fromCache: false };
      } finally {
        const flights = this.inFlight.get(group);
        if (flights?.get(item) === flight) {
          flights.delete(item);
          if (flights.size === 0) this.inFlight.delete(group);
        }
      }
    })();
    let flights = this.inFlight.get(group);
    if (!flights) {
      flights = new Map();
      this.inFlight.set(group, flights);
    }
    flights.set(item, flight);
    return flight.promise;
  }

  /** Invalidation counter of `group`; pass it to {@link storeIfUnchanged}. */
  generation(group: string): number {
    return this.generations.get(group) ?? 0;
  }

  /** Store a value fetched elsewhere (a batch read) unless `group` was invalidated since `generation`. */
  storeIfUnchanged(group: string, item: string, generation: number, value: T): void {
    if (this.ttlMs <= 0 || this.generation(group) !== generation) return;
    let items = this.entries.get(group);
    if (!items) {
      items = new Map();
      this.entries.set(group, items);
    }
    items.set(item, { value, storedAt: this.now() });
  }

  /** Forget every cached read of `group` and keep fetches in flight for it from storing their result. */
  invalidate(group: string): void {
    this.generations.set(group, this.generation(group) + 1);
    this.entries.delete(group);
    this.inFlight.delete(group);
  }

  /** Forget everything (and keep every fetch in flight from storing its result). */
  clear(): void {
    for (const group of new Set([...this.entries.keys(), ...this.inFlight.keys()])) this.invalidate(group);
  }

  /** Values held now. */
  get size(): number {
    let n = 0;
    for (const items of this.entries.values()) n += items.size;
    return n;
  }

  /** Hit and miss counters since creation, and the current size. */
  stats(): ReadCacheStats {
    return { hits: this.hits, misses: this.misses, size: this.size };
  }
}
