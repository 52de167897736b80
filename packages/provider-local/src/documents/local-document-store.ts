import { CofferError, type DocumentStore } from "@coffer/core";
import { AuthenticationFailure } from "../crypto/aead-cipher.js";
import type { StoreSession } from "../store/store-session.js";
import { UnchangedStoreCache } from "../store/unchanged-store-cache.js";

const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Documents (as decrypted JSON text) kept while the store is unchanged. */
const DOCUMENT_CACHE_ENTRIES = 1024;

function checkPart(value: unknown, field: "collection" | "key"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) {
    throw new CofferError("INVALID_ARGUMENT", `document ${field} must be a string of 1-512 characters`, { field });
  }
  return value;
}

/** Associated data of a document's ciphertext: it only opens under its own collection and key. */
export function documentBinding(collection: string, key: string): Buffer {
  return Buffer.from(JSON.stringify(["coffer.document.v1", collection, key]), "utf8");
}

function serialize(value: unknown): Buffer {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) {
    throw new CofferError("INVALID_ARGUMENT", "a document must be a JSON value", { field: "value" });
  }
  const bytes = Buffer.from(json, "utf8");
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    throw new CofferError("TOO_LARGE", `a document is limited to ${MAX_DOCUMENT_BYTES} bytes`, { field: "value" });
  }
  return bytes;
}

/** Carries an exception thrown by an `update` callback through the transaction unchanged. */
class CallbackFailure {
  constructor(readonly error: unknown) {}
}

/**
 * The service's JSON documents, encrypted under the data key like values (a document can hold
 * token hashes or approval state). `update` runs in one IMMEDIATE transaction, so read-modify-write
 * is atomic across processes.
 */
export class LocalDocumentStore implements DocumentStore {
  readonly #session: () => StoreSession;
  readonly #clock: () => Date;
  readonly #texts = new UnchangedStoreCache<string | undefined>(DOCUMENT_CACHE_ENTRIES);

  constructor(session: () => StoreSession, clock: () => Date) {
    this.#session = session;
    this.#clock = clock;
  }

  #decode(session: StoreSession, collection: string, key: string, ciphertext: Buffer): unknown {
    return JSON.parse(this.#open(session, collection, key, ciphertext));
  }

  #open(session: StoreSession, collection: string, key: string, ciphertext: Buffer): string {
    try {
      return session.cipher.open(ciphertext, documentBinding(collection, key)).toString("utf8");
    } catch (err) {
      if (!(err instanceof AuthenticationFailure)) throw err;
      throw new CofferError(
        "INTEGRITY",
        `document ${JSON.stringify(key)} of ${JSON.stringify(collection)} failed to authenticate (store ${session.path})`,
        { path: session.path },
      );
    }
  }

  #readSync<T>(session: StoreSession, collection: string, key: string): T | undefined {
    const row = session
      .statement("SELECT ciphertext FROM documents WHERE collection = ? AND key = ?")
      .get(collection, key) as { ciphertext: Buffer } | undefined;
    return row ? (this.#decode(session, collection, key, row.ciphertext) as T) : undefined;
  }

  #writeSync(session: StoreSession, collection: string, key: string, value: unknown): void {
    const ciphertext = session.cipher.seal(serialize(value), documentBinding(collection, key));
    session
      .statement(
        `INSERT INTO documents (collection, key, ciphertext, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (collection, key) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      )
      .run(collection, key, ciphertext, this.#clock().toISOString());
  }

  #deleteSync(session: StoreSession, collection: string, key: string): boolean {
    return session.statement("DELETE FROM documents WHERE collection = ? AND key = ?").run(collection, key).changes > 0;
  }

  /**
   * Read one document. Its text is kept until anything in the store changes (API tokens are
   * read on every REST request); each call parses a fresh copy.
   * @throws CofferError INTEGRITY when it was altered
   */
  async get<T = unknown>(collection: string, key: string): Promise<T | undefined> {
    const c = checkPart(collection, "collection");
    const k = checkPart(key, "key");
    const session = this.#session();
    const text = await session.read(() =>
      this.#texts.read(session.epoch(), `${c}\0${k}`, () => {
        const row = session.statement("SELECT ciphertext FROM documents WHERE collection = ? AND key = ?").get(c, k) as
          | { ciphertext: Buffer }
          | undefined;
        return row ? this.#open(session, c, k, row.ciphertext) : undefined;
      }),
    );
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  /** Changes whenever the store may have changed (see {@link StoreSession.epoch}). */
  epoch(): number {
    return this.#session().epoch();
  }

  /** Forget cached documents (the store is closing). */
  forgetCachedReads(): void {
    this.#texts.clear();
  }

  /** Write (replace) one document. @throws CofferError INVALID_ARGUMENT when not JSON */
  async put(collection: string, key: string, value: unknown): Promise<void> {
    const c = checkPart(collection, "collection");
    const k = checkPart(key, "key");
    serialize(value);
    const session = this.#session();
    await session.write(() => this.#writeSync(session, c, k, value));
  }

  /** Delete one document; true when it existed. */
  async delete(collection: string, key: string): Promise<boolean> {
    const c = checkPart(collection, "collection");
    const k = checkPart(key, "key");
    const session = this.#session();
    return session.write(() => this.#deleteSync(session, c, k));
  }

  /** Every document of a collection, ordered by key. */
  async list<T = unknown>(collection: string): Promise<Array<{ key: string; value: T }>> {
    const c = checkPart(collection, "collection");
    const session = this.#session();
    return session.read(() =>
      (
        session.statement("SELECT key, ciphertext FROM documents WHERE collection = ? ORDER BY key").all(c) as Array<{
          key: string;
          ciphertext: Buffer;
        }>
      ).map((row) => ({ key: row.key, value: this.#decode(session, c, row.key, row.ciphertext) as T })),
    );
  }

  /**
   * Atomic read-modify-write: `update` (synchronous) gets the current value inside an IMMEDIATE
   * transaction and returns the new one; `undefined` deletes. Errors it throws propagate unchanged
   * and leave the document as it was.
   */
  async update<T = unknown>(
    collection: string,
    key: string,
    update: (current: T | undefined) => T | undefined,
  ): Promise<T | undefined> {
    const c = checkPart(collection, "collection");
    const k = checkPart(key, "key");
    if (typeof update !== "function") {
      throw new CofferError("INVALID_ARGUMENT", "update needs a function", { field: "update" });
    }
    const session = this.#session();
    const outcome = await session
      .write(() => {
        const current = this.#readSync<T>(session, c, k);
        let next: T | undefined;
        try {
          next = update(current);
        } catch (err) {
          throw new CallbackFailure(err);
        }
        if (next !== undefined && typeof (next as { then?: unknown } | null)?.then === "function") {
          throw new CofferError("INVALID_ARGUMENT", "the update function must return a value, not a promise", {
            field: "update",
          });
        }
        if (next === undefined) this.#deleteSync(session, c, k);
        else this.#writeSync(session, c, k, next);
        return next;
      })
      .catch((err: unknown) => {
        const cause = (err as { cause?: unknown } | null)?.cause;
        if (cause instanceof CallbackFailure) return cause;
        throw err;
      });
    if (outcome instanceof CallbackFailure) throw outcome.error;
    return outcome as T | undefined;
  }
}
