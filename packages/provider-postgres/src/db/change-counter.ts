import { currentReadContext, type ReadContext } from "@coffer/core";
import type { PgDatabase } from "./pg-database.js";

/**
 * The store's change counter (bumped in every transaction that changes a secret, document or
 * key, by any replica) as read once per operation (`runInReadContext`, one REST request). What
 * an operation reads after its counter was read may be kept under that value, and used by any
 * later operation that reads the same value: nothing was committed in between. Outside a
 * refreshed operation nothing is kept or used.
 */
export class ChangeCounter {
  readonly #db: PgDatabase;
  readonly #seen = new WeakMap<ReadContext, number>();

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  /** Read the counter for the current operation. Never throws (on failure nothing is kept). */
  async refresh(): Promise<void> {
    const context = currentReadContext();
    if (!context) return;
    try {
      const rows = await this.#db.query<{ changes: string }>("SELECT changes FROM store_state WHERE id = 1");
      if (rows[0]) this.#seen.set(context, Number(rows[0].changes));
      else this.#seen.delete(context);
    } catch {
      this.#seen.delete(context);
    }
  }

  /** The counter read for the current operation, or undefined (nothing may be kept or used). */
  current(): number | undefined {
    const context = currentReadContext();
    return context ? this.#seen.get(context) : undefined;
  }

  /** The current operation changed the store: nothing more is kept or used in it. */
  forget(): void {
    const context = currentReadContext();
    if (context) this.#seen.delete(context);
  }
}

/** A bounded map of values read under a counter value. */
export class KeptReads<T> {
  readonly #entries = new Map<string, { changes: number; value: T }>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** The value kept for `key` under `changes`, if any. */
  get(key: string, changes: number | undefined): { value: T } | undefined {
    if (changes === undefined) return undefined;
    const entry = this.#entries.get(key);
    return entry && entry.changes === changes ? entry : undefined;
  }

  /** Keep `value` for `key` under `changes`. */
  set(key: string, changes: number, value: T): void {
    if (this.#entries.size >= this.#max) this.#entries.clear();
    this.#entries.set(key, { changes, value });
  }

  /** Forget everything (the store is closing). */
  clear(): void {
    this.#entries.clear();
  }
}
