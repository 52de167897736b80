import { randomBytes } from "node:crypto";
import { CofferError, parseScopeKey } from "@coffer/core";
import { AeadCipher, dataKeyCheck, deriveSubkey, matchesKeyCheck } from "@coffer/provider-local/envelope";
import type { Tx } from "../db/pg-database.js";
import type { MasterKeyWrapper } from "./master-key-wrapper.js";

/** Key scope of the service's own data (documents, audit and fingerprint keys). Never re-keyed. */
export const SERVICE_KEY_SCOPE = "service";
/** Key scope of secrets in scopes without a key of their own (global, user, agent, plugin). */
export const DEFAULT_KEY_SCOPE = "default";

/**
 * The data key a secret's scope is encrypted under: team, org and project scopes have one each
 * (so they can be re-keyed or crypto-shredded on their own); every other scope shares `default`.
 */
export function keyScopeOf(scopeKey: string): string {
  const scope = parseScopeKey(scopeKey);
  return scope.kind === "team" || scope.kind === "org" || scope.kind === "project" ? scopeKey : DEFAULT_KEY_SCOPE;
}

/** Thrown inside a write transaction whose data key was re-keyed meanwhile; the write is retried. */
export class StaleScopeKey extends Error {
  constructor() {
    super("the scope's data key changed during the write");
    this.name = "StaleScopeKey";
  }
}

/** An unwrapped data key with its generation. */
export interface ScopeKey {
  /** Generation (1 at creation, +1 per re-key). */
  generation: number;
  /** AES-256-GCM under the key. */
  cipher: AeadCipher;
  /** The key bytes (for subkeys). */
  key: Buffer;
}

interface KeyRow {
  generation: number;
  wrapped: string;
  key_check: string;
}

/**
 * Data keys per key scope, wrapped by the master key in the `data_keys` table and kept
 * unwrapped in memory once opened. The wrap is bound to the store id, the key scope and the
 * generation, so a wrapped key copied to another row does not open.
 */
export class ScopeKeyring {
  readonly #wrapper: MasterKeyWrapper;
  readonly #storeId: string;
  readonly #clock: () => Date;
  readonly #keys = new Map<string, ScopeKey>();

  constructor(wrapper: MasterKeyWrapper, storeId: string, clock: () => Date) {
    this.#wrapper = wrapper;
    this.#storeId = storeId;
    this.#clock = clock;
  }

  #context(keyScope: string, generation: number): string {
    return `${this.#storeId}\u001f${keyScope}\u001f${generation}`;
  }

  async #open(keyScope: string, row: KeyRow): Promise<ScopeKey> {
    const key = await this.#wrapper.unwrap(row.wrapped, this.#context(keyScope, row.generation));
    if (!matchesKeyCheck(key, row.key_check)) {
      throw new CofferError("INTEGRITY", `the data key of ${keyScope} does not match its key check`);
    }
    const opened = { generation: row.generation, cipher: new AeadCipher(key), key };
    this.#keys.set(keyScope, opened);
    return opened;
  }

  /** A new wrapped key row for `keyScope` at `generation` (not stored). */
  async newKeyRow(keyScope: string, generation: number): Promise<{ row: KeyRow; key: Buffer }> {
    const key = randomBytes(32);
    const wrapped = await this.#wrapper.wrap(key, this.#context(keyScope, generation));
    return { row: { generation, wrapped, key_check: dataKeyCheck(key) }, key };
  }

  /**
   * The current key of a key scope, created on first use in its own statement (never inside a
   * write transaction, whose rollback would leave a key in memory that no row holds) (two replicas creating it at once:
   * one insert wins, both use the winner). `generation`, when given, is the one a stored row
   * was sealed under: a key re-keyed by another replica since it was cached is read again.
   */
  async key(
    run: (sql: string, params: readonly unknown[]) => Promise<KeyRow[]>,
    keyScope: string,
    generation?: number,
  ): Promise<ScopeKey> {
    const cached = this.#keys.get(keyScope);
    if (cached && (generation === undefined || cached.generation === generation)) return cached;
    let rows = await run("SELECT generation, wrapped, key_check FROM data_keys WHERE key_scope = $1", [keyScope]);
    if (rows.length === 0) {
      const { row } = await this.newKeyRow(keyScope, 1);
      await run(
        `INSERT INTO data_keys (key_scope, generation, wrapped, key_check, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (key_scope) DO NOTHING`,
        [keyScope, row.generation, row.wrapped, row.key_check, this.#clock().toISOString()],
      );
      rows = await run("SELECT generation, wrapped, key_check FROM data_keys WHERE key_scope = $1", [keyScope]);
    }
    const row = rows[0];
    if (!row) throw new CofferError("UNAVAILABLE", `the data key of ${keyScope} could not be created`);
    if (generation !== undefined && row.generation !== generation) {
      // Re-keyed by another replica between reading the sealed row and this: read the row again.
      throw new StaleScopeKey();
    }
    return this.#open(keyScope, row);
  }

  /**
   * Inside a write transaction: lock the key row against a concurrent re-key (FOR SHARE) and
   * check the key fetched before the transaction is still current.
   * @throws StaleScopeKey when another replica re-keyed the scope meanwhile (retry with a fresh key)
   */
  async holdCurrent(tx: Tx, keyScope: string, key: ScopeKey): Promise<void> {
    const rows = await tx.query<{ generation: number }>(
      "SELECT generation FROM data_keys WHERE key_scope = $1 FOR SHARE",
      [keyScope],
    );
    if (rows[0]?.generation !== key.generation) {
      this.forget(keyScope);
      throw new StaleScopeKey();
    }
  }

  /** Remember a key just written (after a re-key commits). */
  remember(keyScope: string, key: ScopeKey): void {
    this.#keys.set(keyScope, key);
  }

  /** Forget a cached key (after a re-key or shred, or a failed transaction that may have changed it). */
  forget(keyScope?: string): void {
    if (keyScope === undefined) {
      for (const k of this.#keys.values()) k.key.fill(0);
      this.#keys.clear();
    } else this.#keys.delete(keyScope);
  }

  /** Subkey of the service key for audit hashes and fingerprints. */
  static subkey(serviceKey: ScopeKey, label: "coffer-audit" | "coffer-fingerprint"): Buffer {
    return deriveSubkey(serviceKey.key, label);
  }
}
