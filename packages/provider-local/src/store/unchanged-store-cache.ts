/**
 * Results of reads, kept while the store is unchanged: every entry is dropped as soon as the
 * session's change epoch moves (a commit by another connection or process, or any write through
 * this session), so a cached answer is always the answer the store would give now. Bounded: the
 * oldest entry goes when `max` is reached.
 */
export class UnchangedStoreCache<V> {
  readonly #max: number;
  readonly #entries = new Map<string, { value: V }>();
  #epoch = -1;

  constructor(max: number) {
    this.#max = max;
  }

  /** The value of `key` at `epoch`: from the cache, or from `load` (a throw is not cached). */
  read(epoch: number, key: string, load: () => V): V {
    if (epoch !== this.#epoch) {
      this.#entries.clear();
      this.#epoch = epoch;
    }
    const hit = this.#entries.get(key);
    if (hit) return hit.value;
    const value = load();
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { value });
    return value;
  }

  /** Forget everything (on close). */
  clear(): void {
    this.#entries.clear();
    this.#epoch = -1;
  }
}
