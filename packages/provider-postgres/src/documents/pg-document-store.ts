import { CofferError, type DocumentStore } from "@coffer/core";
import { AuthenticationFailure, documentBinding } from "@coffer/provider-local/envelope";
import { bumpChanges } from "../audit/pg-audit-log.js";
import { type ChangeCounter, KeptReads } from "../db/change-counter.js";
import type { PgDatabase, Tx } from "../db/pg-database.js";
import type { ScopeKey } from "../keys/scope-keyring.js";

const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Documents (decrypted JSON text) kept per change counter value. */
const MAX_CACHED_DOCUMENTS = 1024;

function checkPart(value: unknown, field: "collection" | "key"): string {
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > 512 ||
    (field === "collection" && value.includes("\u0000"))
  ) {
    throw new CofferError("INVALID_ARGUMENT", `document ${field} must be a string of 1-512 characters`, { field });
  }
  return value;
}

function serialize(value: unknown): Buffer {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined)
    throw new CofferError("INVALID_ARGUMENT", "a document must be a JSON value", { field: "value" });
  const bytes = Buffer.from(json, "utf8");
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    throw new CofferError("TOO_LARGE", `a document is limited to ${MAX_DOCUMENT_BYTES} bytes`, { field: "value" });
  }
  return bytes;
}

/**
 * The service's JSON documents (API tokens, approvals, hooks, last-known-good bookkeeping) in
 * PostgreSQL, sealed under the service data key and bound to their collection and key, so every
 * replica sees the same tokens, revocations and approvals. `update` holds a transaction-level
 * advisory lock on the document, so read-modify-write is atomic across replicas.
 */
export class PgDocumentStore implements DocumentStore {
  readonly #db: PgDatabase;
  readonly #key: () => Promise<ScopeKey>;
  readonly #clock: () => Date;
  readonly #counter: ChangeCounter;
  /** Document texts with the counter value they were read under. */
  readonly #texts = new KeptReads<string | undefined>(MAX_CACHED_DOCUMENTS);
  #unkept = 0;

  constructor(db: PgDatabase, serviceKey: () => Promise<ScopeKey>, clock: () => Date, counter: ChangeCounter) {
    this.#db = db;
    this.#key = serviceKey;
    this.#clock = clock;
    this.#counter = counter;
  }

  /**
   * Read the store's change counter for the current operation (see {@link ChangeCounter}): a
   * commit acknowledged before the operation started is always seen. Never throws.
   */
  refresh(): Promise<void> {
    return this.#counter.refresh();
  }

  /**
   * The change counter read by {@link refresh} for the current operation; outside a refreshed
   * operation, a number never returned before (so callers keep nothing).
   */
  epoch(): number {
    const changes = this.#counter.current();
    if (changes !== undefined) return changes;
    this.#unkept -= 1;
    return this.#unkept;
  }

  #open(key: ScopeKey, collection: string, k: string, ciphertext: Buffer): unknown {
    return JSON.parse(this.#openText(key, collection, k, ciphertext));
  }

  #openText(key: ScopeKey, collection: string, k: string, ciphertext: Buffer): string {
    try {
      return key.cipher.open(ciphertext, documentBinding(collection, k)).toString("utf8");
    } catch (err) {
      if (!(err instanceof AuthenticationFailure)) throw err;
      throw new CofferError(
        "INTEGRITY",
        `document ${JSON.stringify(k)} of ${JSON.stringify(collection)} failed to authenticate`,
      );
    }
  }

  async #write(tx: Tx, key: ScopeKey, collection: string, k: string, value: unknown): Promise<void> {
    const ciphertext = key.cipher.seal(serialize(value), documentBinding(collection, k));
    await tx.query(
      `INSERT INTO documents (collection, key, ciphertext, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (collection, key) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      [collection, Buffer.from(k, "utf8"), ciphertext, this.#clock().toISOString()],
    );
    await bumpChanges(tx);
  }

  async #delete(tx: Tx, collection: string, k: string): Promise<boolean> {
    const gone = await tx.query("DELETE FROM documents WHERE collection = $1 AND key = $2 RETURNING key", [
      collection,
      Buffer.from(k, "utf8"),
    ]);
    if (gone.length > 0) await bumpChanges(tx);
    return gone.length > 0;
  }

  /** Read one document. @throws CofferError INTEGRITY when it was altered, UNAVAILABLE */
  async get<T = unknown>(collection: string, key: string): Promise<T | undefined> {
    const c = checkPart(collection, "collection");
    const k = checkPart(key, "key");
    const sealKey = await this.#key();
    // Kept per change counter value: a server reads the same documents on every request.
    const cacheKey = `${c}\u0000${k}`;
    const changes = this.#counter.current();
    const kept = this.#texts.get(cacheKey, changes);
    if (kept) return kept.value === undefined ? undefined : (JSON.parse(kept.value) as T);
    const rows = await this.#db.query<{ ciphertext: Buffer }>(
      "SELECT ciphertext FROM documents WHERE collection = $1 AND key = $2",
      [c, Buffer.from(k, "utf8")],
    );
    const text = rows[0] ? this.#openText(sealKey, c, k, rows[0].ciphertext) : undefined;
    // Kept under the counter this operation read before it (so the text is at least that new).
    if (changes !== undefined && changes === this.#counter.current()) this.#texts.set(cacheKey, changes, text);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  /** Write (replace) one document. @throws CofferError INVALID_ARGUMENT when not JSON */
  async put(collection: string, key: string, value: unknown): Promise<void> {
    const c = checkPart(collection, "collection");
    const k = checkPart(key, "key");
    serialize(value);
    const sealKey = await this.#key();
    try {
      await this.#db.transaction((tx) => this.#write(tx, sealKey, c, k, value));
    } finally {
      this.#forgetKept();
    }
  }

  /** Delete one document; true when it existed. */
  async delete(collection: string, key: string): Promise<boolean> {
    const c = checkPart(collection, "collection");
    const k = checkPart(key, "key");
    await this.#key();
    try {
      return await this.#db.transaction((tx) => this.#delete(tx, c, k));
    } finally {
      this.#forgetKept();
    }
  }

  /** Every document of a collection, ordered by key. */
  async list<T = unknown>(collection: string): Promise<Array<{ key: string; value: T }>> {
    const c = checkPart(collection, "collection");
    const sealKey = await this.#key();
    const rows = await this.#db.query<{ key: Buffer; ciphertext: Buffer }>(
      "SELECT key, ciphertext FROM documents WHERE collection = $1 ORDER BY key",
      [c],
    );
    return rows.map((row) => {
      const key = row.key.toString("utf8");
      return { key, value: this.#open(sealKey, c, key, row.ciphertext) as T };
    });
  }

  /**
   * Atomic read-modify-write: `update` (synchronous) gets the current value under a lock every
   * replica honours and returns the new one; `undefined` deletes. Errors it throws propagate
   * unchanged and leave the document as it was.
   */
  async update<T = unknown>(
    collection: string,
    key: string,
    update: (current: T | undefined) => T | undefined,
  ): Promise<T | undefined> {
    const c = checkPart(collection, "collection");
    const k = checkPart(key, "key");
    if (typeof update !== "function")
      throw new CofferError("INVALID_ARGUMENT", "update needs a function", { field: "update" });
    const sealKey = await this.#key();
    try {
      return await this.#update(sealKey, c, k, update);
    } finally {
      this.#forgetKept();
    }
  }

  /** After a write through this store: nothing more is kept in this operation (the counter moved). */
  #forgetKept(): void {
    this.#counter.forget();
  }

  async #update<T>(
    sealKey: ScopeKey,
    c: string,
    k: string,
    update: (current: T | undefined) => T | undefined,
  ): Promise<T | undefined> {
    return this.#db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 11))", [
        Buffer.from(JSON.stringify([c, k])).toString("base64"),
      ]);
      const rows = await tx.query<{ ciphertext: Buffer }>(
        "SELECT ciphertext FROM documents WHERE collection = $1 AND key = $2",
        [c, Buffer.from(k, "utf8")],
      );
      const current = rows[0] ? (this.#open(sealKey, c, k, rows[0].ciphertext) as T) : undefined;
      const next = update(current);
      if (next !== undefined && typeof (next as { then?: unknown } | null)?.then === "function") {
        throw new CofferError("INVALID_ARGUMENT", "the update function must return a value, not a promise", {
          field: "update",
        });
      }
      if (next === undefined) await this.#delete(tx, c, k);
      else await this.#write(tx, sealKey, c, k, next);
      return next;
    });
  }
}
