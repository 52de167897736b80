import { createSecretKey, type KeyObject } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { CofferError, currentReadContext, currentTurn, type ReadContext } from "@coffer/core";
import type Database from "better-sqlite3";
import { AeadCipher } from "../crypto/aead-cipher.js";
import { deriveSubkey, type WrapVersion } from "../crypto/data-key.js";
import type { MasterKeyMaterial } from "../crypto/master-key.js";
import { META } from "../db/meta-keys.js";
import { isBusy, toStoreError } from "../db/sqlite-errors.js";
import { type AnchorRecord, advanceAnchor, anchorAccepts, readAnchor } from "../integrity/commitment-anchor.js";
import { StoreCommitment } from "../integrity/store-commitment.js";

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
  /** How the data key is wrapped now: 1 for a format 1 store not upgraded yet. */
  wrapVersion: WrapVersion;
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
  /** HMAC key of state records and the store commitment. */
  readonly commitKey: KeyObject;
  /** The anchor file of this store (beside the key file). */
  readonly anchorFile: string;
  /**
   * Set when opening found the store tampered with as a whole (its commitment edited, or older
   * than its anchor): every read and write then fails with it; only verification still runs.
   */
  tamper: CofferError | undefined;
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
  /** The commitment being updated by the current write transaction. */
  #pending: StoreCommitment | undefined;
  /** The anchor as read under this transaction's write lock. */
  #pendingAnchor: AnchorRecord | undefined;
  /** Whether the current write transaction is flushed to disk (and so advances the anchor). */
  #durable = true;
  readonly #commitKeyBytes: Buffer;

  constructor(db: Database.Database, path: string, storeId: string, keys: SessionKeys, anchorFile: string) {
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
    this.#commitKeyBytes = deriveSubkey(keys.dataKey, "coffer-commitment");
    this.commitKey = createSecretKey(this.#commitKeyBytes);
    this.anchorFile = anchorFile;
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

  /** An INTEGRITY error about the store as a whole. */
  integrityError(message: string, details: Record<string, unknown> = {}): CofferError {
    return new CofferError("INTEGRITY", `${message} (store ${this.path})`, { path: this.path, ...details });
  }

  /**
   * The commitment, authenticated (inside a read or write transaction; in a write, as that
   * write has updated it so far).
   * @throws CofferError INTEGRITY when it is missing or does not authenticate
   */
  readCommitment(): StoreCommitment {
    if (this.#pending) return this.#pending;
    const c = StoreCommitment.parse(this.meta(META.commitment), this.commitKey, this.storeId);
    if (!c) throw this.integrityError("the store's commitment does not authenticate: its meta table was edited");
    return c;
  }

  /**
   * The commitment as the current write transaction updates it: loaded and checked against the
   * anchor file on first use, written back (with the next counter) when the transaction commits.
   * @throws CofferError INTEGRITY when it does not authenticate or the store is older than its anchor
   */
  commitment(): StoreCommitment {
    if (this.#pending) return this.#pending;
    // The anchor is read first: the store's commitment, read after it, is at least as new.
    const anchor = readAnchor(this.anchorFile, this.storeId);
    const c = this.readCommitment();
    if (anchor && !anchorAccepts(anchor, c.loaded)) {
      this.tamper = this.rolledBack(anchor.counter, c.loaded.counter);
      throw this.tamper;
    }
    this.#pending = c;
    this.#pendingAnchor = anchor;
    return c;
  }

  /** The error of a store older than its anchor. */
  rolledBack(anchorCounter: number, storeCounter: number): CofferError {
    return this.integrityError(
      `the store file is older than its anchor ${this.anchorFile} (commit ${storeCounter}, anchored ${anchorCounter}): it was replaced by an earlier copy`,
      { anchorFile: this.anchorFile, commit: storeCounter, anchored: anchorCounter },
    );
  }

  /**
   * Run `fn` in a `BEGIN IMMEDIATE` transaction: the write lock is taken first, so reads inside
   * see the latest commit and no other process can interleave a write. Lock contention beyond
   * SQLite's busy timeout is retried with backoff; any throw rolls everything back.
   */
  write<T>(fn: () => T): Promise<T> {
    if (this.tamper) return Promise.reject(this.tamper);
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
    this.#durable = false;
    try {
      return await this.write(fn);
    } finally {
      this.#durable = true;
      if (this.db.open) this.statement("PRAGMA synchronous = FULL").run();
    }
  }

  /** Run `fn` in one read transaction (a consistent snapshot across several statements). */
  readSnapshot<T>(fn: () => T): Promise<T> {
    if (this.tamper) return Promise.reject(this.tamper);
    return this.#withRetry(() => this.#transaction(this.#beginRead, fn));
  }

  /** Run a single-statement read; retried like a transaction if the store is briefly locked. */
  read<T>(fn: () => T): Promise<T> {
    if (this.tamper) return Promise.reject(this.tamper);
    return this.#withRetry(fn);
  }

  /** Like {@link readSnapshot}, also when the store was found tampered with (for verification). */
  inspect<T>(fn: () => T): Promise<T> {
    return this.#withRetry(() => this.#transaction(this.#beginRead, fn));
  }

  #transaction<T>(begin: Database.Statement, fn: () => T): T {
    begin.run();
    let anchored: { counter: number; mac: string } | undefined;
    let known: AnchorRecord | undefined;
    try {
      const result = fn();
      const pending = this.#pending;
      if (pending?.dirty) {
        const { json, sealed } = pending.next(this.commitKey, this.storeId);
        this.setMeta(META.commitment, json);
        if (this.#durable) {
          anchored = sealed;
          known = this.#pendingAnchor;
        }
      }
      this.#commit.run();
      return result;
    } catch (err) {
      anchored = undefined;
      if (this.db.inTransaction) this.#rollback.run();
      throw err;
    } finally {
      this.#pending = undefined;
      this.#pendingAnchor = undefined;
      // Whatever a write did (even one rolled back), cached reads are no longer trusted.
      if (begin === this.#begin) this.#epoch = ++lastEpoch;
      if (anchored) this.#advanceAnchor(anchored, known);
    }
  }

  /** Advance the anchor file after a durable commit (best effort: the commit already happened). */
  #advanceAnchor(sealed: { counter: number; mac: string }, known: AnchorRecord | undefined): void {
    try {
      // `known` was read under the write lock; a concurrent writer may since have advanced the
      // file further, and this one then moves it back: still a valid lower bound.
      advanceAnchor(this.anchorFile, { store: this.storeId, ...sealed }, known);
    } catch {
      // The anchor stays behind (a lower bound); the next durable commit advances it.
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
    this.#commitKeyBytes.fill(0);
  }
}
