import { CofferError } from "@coffer/core";
import { AuthenticationFailure } from "../crypto/aead-cipher.js";
import type { StoreSession } from "../store/store-session.js";

/** One cached value as returned by {@link LastKnownGoodCache.get}. */
export interface CachedValue {
  /** The cached value. */
  value: string;
  /** When it was cached, ISO 8601. */
  storedAt: string;
  /** Value-free context stored with it (provider, version, ...). */
  meta?: Record<string, unknown>;
}

/**
 * Encrypted last-known-good copies of values read from remote providers, so a run can still
 * start while the remote is unreachable. Value and meta are sealed together under the data key.
 */
export interface LastKnownGoodCache {
  /** Store (replace) the copy of `key` in `namespace`. @throws CofferError INVALID_ARGUMENT, TOO_LARGE */
  put(namespace: string, key: string, value: string, meta?: Record<string, unknown>): Promise<void>;
  /** The cached copy, or undefined. @throws CofferError INTEGRITY when it was altered */
  get(namespace: string, key: string): Promise<CachedValue | undefined>;
  /** Forget the cached copy (no error when there is none). */
  delete(namespace: string, key: string): Promise<void>;
}

const MAX_ENTRY_BYTES = 256 * 1024;

function checkPart(value: unknown, field: "namespace" | "key"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) {
    throw new CofferError("INVALID_ARGUMENT", `cache ${field} must be a string of 1-512 characters`, { field });
  }
  return value;
}

/** Associated data of a cache entry: namespace, key and the time it was stored. */
export function cacheBinding(namespace: string, key: string, storedAt: string): Buffer {
  return Buffer.from(JSON.stringify(["coffer.cache.v1", namespace, key, storedAt]), "utf8");
}

/** The cache table of the local store. */
export class LocalLastKnownGoodCache implements LastKnownGoodCache {
  readonly #session: () => StoreSession;
  readonly #clock: () => Date;

  constructor(session: () => StoreSession, clock: () => Date) {
    this.#session = session;
    this.#clock = clock;
  }

  /** Seal and store a copy, stamped with the current time. @throws CofferError INVALID_ARGUMENT, TOO_LARGE */
  async put(namespace: string, key: string, value: string, meta?: Record<string, unknown>): Promise<void> {
    const ns = checkPart(namespace, "namespace");
    const k = checkPart(key, "key");
    if (typeof value !== "string")
      throw new CofferError("INVALID_ARGUMENT", "cached value must be a string", { field: "value" });
    if (meta !== undefined && (meta === null || typeof meta !== "object" || Array.isArray(meta))) {
      throw new CofferError("INVALID_ARGUMENT", "cache meta must be an object", { field: "meta" });
    }
    let plaintext: Buffer;
    try {
      plaintext = Buffer.from(JSON.stringify(meta === undefined ? { value } : { value, meta }), "utf8");
    } catch {
      throw new CofferError("INVALID_ARGUMENT", "cache meta must be plain JSON", { field: "meta" });
    }
    if (plaintext.length > MAX_ENTRY_BYTES) {
      throw new CofferError("TOO_LARGE", `a cache entry is limited to ${MAX_ENTRY_BYTES} bytes`, { field: "value" });
    }
    const session = this.#session();
    await session.write(() => {
      const storedAt = this.#clock().toISOString();
      const ciphertext = session.cipher.seal(plaintext, cacheBinding(ns, k, storedAt));
      session
        .statement(
          `INSERT INTO cache_entries (namespace, key, ciphertext, stored_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (namespace, key) DO UPDATE SET ciphertext = excluded.ciphertext, stored_at = excluded.stored_at`,
        )
        .run(ns, k, ciphertext, storedAt);
    });
  }

  /** Open a stored copy. @throws CofferError INTEGRITY when it was altered or moved */
  async get(namespace: string, key: string): Promise<CachedValue | undefined> {
    const ns = checkPart(namespace, "namespace");
    const k = checkPart(key, "key");
    const session = this.#session();
    return session.read(() => {
      const row = session
        .statement("SELECT ciphertext, stored_at FROM cache_entries WHERE namespace = ? AND key = ?")
        .get(ns, k) as { ciphertext: Buffer; stored_at: string } | undefined;
      if (!row) return undefined;
      let parsed: { value: string; meta?: Record<string, unknown> };
      try {
        parsed = JSON.parse(session.cipher.open(row.ciphertext, cacheBinding(ns, k, row.stored_at)).toString("utf8"));
      } catch (err) {
        if (!(err instanceof AuthenticationFailure)) throw err;
        throw new CofferError(
          "INTEGRITY",
          `the cached copy of ${JSON.stringify(k)} failed to authenticate (store ${session.path})`,
          {
            path: session.path,
          },
        );
      }
      const out: CachedValue = { value: parsed.value, storedAt: row.stored_at };
      if (parsed.meta !== undefined) out.meta = parsed.meta;
      return out;
    });
  }

  /** Forget a stored copy. */
  async delete(namespace: string, key: string): Promise<void> {
    const ns = checkPart(namespace, "namespace");
    const k = checkPart(key, "key");
    const session = this.#session();
    await session.write(() => {
      session.statement("DELETE FROM cache_entries WHERE namespace = ? AND key = ?").run(ns, k);
    });
  }
}
