/**
 * Serializes async work per key within one process: a call for a key starts only after every
 * earlier call for the same key has settled. Used so writers of one provider instance never
 * interleave their check-then-write steps on the same secret.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Run `work` once every earlier `run` for `key` has finished (whether it succeeded or not). */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Run `work` holding the locks of every key (taken in sorted order, so two callers never deadlock). */
  async runAll<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const take = (i: number): Promise<T> => (i === sorted.length ? work() : this.run(sorted[i]!, () => take(i + 1)));
    return take(0);
  }
}
