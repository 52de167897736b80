import { createSecretKey, type KeyObject } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { currentReadContext, currentTurn, type ReadContext } from "@coffer/core";
import type Database from "better-sqlite3";
import { AeadCipher } from "../crypto/aead-cipher.js";
import { deriveSubkey } from "../crypto/data-key.js";
import type { MasterKeyMaterial } from "../crypto/master-key.js";
import { isBusy, toStoreError } from "../db/sqlite-errors.js";

/** Source of change epochs, shared by every session: an epoch is never reused, even by a reopened store. */
let lastEpoch = 0;

/** Attempts of a transaction that keeps meeting a lock after SQLite's own busy wait. */
const MAX_ATTEMPTS = 6;

/** What an open store needs to keep about its keys. */
export interface SessionKeys {
  /** The unwrapped data key. */
  dataKey: Buffer;
  /** Key-encryption key derived from the master key (needed to check and rotate). */
  kek: Buffer;
  /** The master key in use. */
  material: MasterKeyMaterial;
}

/**
 * An open, unlocked store: the connection, the cached data key and derived keys, prepared
 * statements, and transaction runners that retry through lock contention.
 */
export class StoreSession {
  /** The SQLite connection. */
  readonly db: Database.Database;
  /** Store file. */
  readonly path: string;
  /** Random id of the store. */
  readonly storeId: string;
  /** Cipher under the data key. */
  readonly cipher: AeadCipher;
  /** HMAC key of the audit chain. */
  readonly auditKey: Buffer;
  /** HMAC key of value fingerprints. */
  readonly fingerprintKey: Buffer;
  /** {@link auditKey} as a key object (HMAC of every audit entry). */
  readonly auditHmacKey: KeyObject;
  /** {@link fingerprintKey} as a key object (value fingerprints). */
  readonly fingerprintHmacKey: KeyObject;
  /** Keys as unlocked (mutable: master key rotation replaces `kek` and `material`). */
  keys: SessionKeys;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #begin: Database.Statement;
  readonly #beginRead: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  readonly #dataVersion: Database.Statement;
  #seenDataVersion = -1;
  #checkedFor: ReadContext | undefined;
  #checkedInTurn = -1;
  #epoch = ++lastEpoch;

  constructor(db: Database.Database, path: string, storeId: string, keys: SessionKeys) {
    this.db = db;
    this.path = path;
    this.storeId = storeId;
    this.keys = keys;
    this.cipher = new AeadCipher(keys.dataKey);
    this.auditKey = deriveSubkey(keys.dataKey, "coffer-audit");
    this.fingerprintKey = deriveSubkey(keys.dataKey, "coffer-fingerprint");
    // Key objects for the hot HMAC paths: Node converts a raw Buffer key on every call.
    this.auditHmacKey = createSecretKey(this.auditKey);
    this.fingerprintHmacKey = createSecretKey(this.fingerprintKey);
    this.#begin = db.prepare("BEGIN IMMEDIATE");
    this.#beginRead = db.prepare("BEGIN DEFERRED");
    this.#commit = db.prepare("COMMIT");
    this.#rollback = db.prepare("ROLLBACK");
    this.#dataVersion = db.prepare("PRAGMA data_version").pluck();
  }

  /**
   * A number that changes whenever the store may have changed since the previous call: a commit
   * by another connection or process (SQLite's `data_version`), or any write through this
   * session. Read caches key on it; call it before the read whose result is cached.
   */
  epoch(): number {
    // Inside one operation (a REST request), other processes' commits are looked for once per
    // event-loop turn: the operation's later reads reuse the answer (see runInReadContext).
    const context = currentReadContext();
    if (context !== undefined) {
      const turn = currentTurn();
      if (context === this.#checkedFor && turn === this.#checkedInTurn) return this.#epoch;
      this.#checkedFor = context;
      this.#checkedInTurn = turn;
    }
    const seen = this.#dataVersion.get() as number;
    if (seen !== this.#seenDataVersion) {
      this.#seenDataVersion = seen;
      this.#epoch = ++lastEpoch;
    }
    return this.#epoch;
  }

  /** A prepared statement, compiled once per connection. */
  statement(sql: string): Database.Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  /** One meta value. */
  meta(key: string): string | undefined {
    const row = this.statement("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  /** Set one meta value (inside a write transaction). */
  setMeta(key: string, value: string): void {
    this.statement(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
  }

  /**
   * Run `fn` in a `BEGIN IMMEDIATE` transaction: the write lock is taken first, so reads inside
   * see the latest commit and no other process can interleave a write. Lock contention beyond
   * SQLite's busy timeout is retried with backoff; any throw rolls everything back.
   */
  write<T>(fn: () => T): Promise<T> {
    return this.#withRetry(() => this.#transaction(this.#begin, fn));
  }

  /**
   * Like {@link write}, but the commit is not flushed to disk before returning
   * (`synchronous = NORMAL` for this one transaction): it survives a crash of the process, not
   * a power loss. Only for records whose loss on power failure is acceptable (audit entries of
   * reads); acknowledged secret writes always use {@link write}.
   */
  async writeRelaxed<T>(fn: () => T): Promise<T> {
    this.statement("PRAGMA synchronous = NORMAL").run();
    try {
      return await this.write(fn);
    } finally {
      if (this.db.open) this.statement("PRAGMA synchronous = FULL").run();
    }
  }

  /** Run `fn` in one read transaction (a consistent snapshot across several statements). */
  readSnapshot<T>(fn: () => T): Promise<T> {
    return this.#withRetry(() => this.#transaction(this.#beginRead, fn));
  }

  /** Run a single-statement read; retried like a transaction if the store is briefly locked. */
  read<T>(fn: () => T): Promise<T> {
    return this.#withRetry(fn);
  }

  #transaction<T>(begin: Database.Statement, fn: () => T): T {
    begin.run();
    try {
      const result = fn();
      this.#commit.run();
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.#rollback.run();
      throw err;
    } finally {
      // Whatever a write did (even one rolled back), cached reads are no longer trusted.
      if (begin === this.#begin) this.#epoch = ++lastEpoch;
    }
  }

  /**
   * Run `attempt` now; only a store locked beyond SQLite's busy timeout is retried, later, with
   * backoff. (The first attempt runs synchronously: reads and writes are synchronous in SQLite,
   * and a hot read path pays for no extra promise layers.)
   */
  #withRetry<T>(attempt: () => T): Promise<T> {
    try {
      return Promise.resolve(attempt());
    } catch (err) {
      if (!isBusy(err)) return Promise.reject(toStoreError(err, this.path));
      return this.#retryWhileBusy(attempt);
    }
  }

  async #retryWhileBusy<T>(attempt: () => T): Promise<T> {
    for (let n = 1; ; n++) {
      await sleep(20 * 2 ** n + Math.floor(Math.random() * 20));
      try {
        return attempt();
      } catch (err) {
        if (!isBusy(err) || n + 1 >= MAX_ATTEMPTS) throw toStoreError(err, this.path);
      }
    }
  }

  /** Close the connection and wipe keys from memory. */
  close(): void {
    if (this.db.open) this.db.close();
    this.keys.dataKey.fill(0);
    this.keys.kek.fill(0);
    this.auditKey.fill(0);
    this.fingerprintKey.fill(0);
  }
}
