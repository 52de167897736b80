import {
  CofferError,
  type DeleteOutcome,
  type GetManyResult,
  isCofferError,
  type Page,
  type ProviderDeleteOptions,
  type ProviderGetOptions,
  type ProviderListQuery,
  type ProviderMutationOptions,
  type ProviderSetOptions,
  parseScopeKey,
  quoteName,
  type SecretAddress,
  type SecretAttributes,
  type SecretMetadata,
  type SecretRef,
  type SecretVersionInfo,
  type SecretWrite,
  type StoredSecret,
  type ValueEncoding,
} from "@coffer/core";
import {
  AeadCipher,
  AuthenticationFailure,
  checkName,
  checkScope,
  decodeListCursor,
  describeState,
  encodeListCursor,
  prepareWrite,
  type StateKey,
  toAuditRow,
  toStateKey,
  valueBinding,
} from "@coffer/provider-local/envelope";
import { appendAuditRows, bumpChanges, type UnchainedAuditRow } from "../audit/pg-audit-log.js";
import { type ChangeCounter, KeptReads } from "../db/change-counter.js";
import type { PgDatabase, Tx } from "../db/pg-database.js";
import { keyScopeOf, type ScopeKey, type ScopeKeyring, StaleScopeKey } from "../keys/scope-keyring.js";

/** A state row joined with one of its versions. */
interface VersionRow {
  state_created_at: string;
  deleted_at: string | null;
  purge_at: string | null;
  current_version: number;
  newest_version: number | null;
  version: number | null;
  key_generation: number | null;
  ciphertext: Buffer | null;
  encoding: ValueEncoding | null;
  attributes: string | null;
  created_at: string | null;
  valid_until: string | null;
}

interface ListRow {
  scope: string;
  name: string;
  env: string;
  state_created_at: string;
  deleted_at: string | null;
  purge_at: string | null;
  version: number;
  encoding: ValueEncoding;
  attributes: string;
  created_at: string;
}

const MAX_LIST_LIMIT = 1000;
const MAX_GET_MANY = 10_000;
const DAY_MS = 86_400_000;

const STATE_AND_VERSION = `
SELECT s.created_at AS state_created_at, s.deleted_at, s.purge_at, s.current_version,
       v.version, v.key_generation, v.ciphertext, v.encoding, v.attributes, v.created_at, v.valid_until,
       (SELECT max(n.version) FROM secret_versions n WHERE n.scope = s.scope AND n.name = s.name AND n.env = s.env) AS newest_version
FROM secret_states s
LEFT JOIN secret_versions v ON v.scope = s.scope AND v.name = s.name AND v.env = s.env
  AND v.version = COALESCE($4::integer, s.current_version)
WHERE s.scope = $1 AND s.name = $2 AND s.env = $3`;

/** Settings the table needs from the provider. */
export interface PgSecretTableSettings {
  /** Provider instance name (set on metadata). */
  providerName: string;
  /** Versions kept per state. */
  historyLimit: number;
  /** Default recovery window of soft deletes, in days. */
  recoveryWindowDays: number;
  /** Current time. */
  clock: () => Date;
}

/** An audit entry's fields plus the defaults the table fills in. */
type AuditFields = UnchainedAuditRow;

/**
 * Secret states and versions in PostgreSQL: every Provider operation on values. Every mutation
 * of a secret holds a transaction-level advisory lock on (scope, name), so conditional writes,
 * deletes, restores and purges of one secret serialize across all replicas; the audit entry
 * given with a change is appended in the same transaction.
 */
export class PgSecretTable {
  readonly #db: PgDatabase;
  readonly #keys: () => ScopeKeyring;
  readonly #ready: () => Promise<{ auditKey: Buffer }>;
  readonly #settings: PgSecretTableSettings;
  readonly #counter: ChangeCounter;
  /** Current-version lookups (hits and misses) kept per change counter value. */
  readonly #lookups = new KeptReads<StoredSecret | undefined>(4096);

  constructor(
    db: PgDatabase,
    keys: () => ScopeKeyring,
    ready: () => Promise<{ auditKey: Buffer }>,
    settings: PgSecretTableSettings,
    counter: ChangeCounter,
  ) {
    this.#db = db;
    this.#keys = keys;
    this.#ready = ready;
    this.#settings = settings;
    this.#counter = counter;
  }

  /** Forget kept reads (the store is closing). */
  forgetKeptReads(): void {
    this.#lookups.clear();
  }

  #now(): Date {
    const now = this.#settings.clock();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      throw new CofferError("CONFIG", "the postgres provider's clock returned an invalid date", { field: "clock" });
    }
    return now;
  }

  #metadata(key: StateKey, row: Omit<ListRow, "scope" | "name" | "env">): SecretMetadata {
    const attributes = JSON.parse(row.attributes) as SecretAttributes;
    const meta: SecretMetadata = {
      ...attributes,
      name: key.name,
      scope: parseScopeKey(key.scope),
      version: row.version,
      encoding: row.encoding,
      createdAt: row.state_created_at,
      updatedAt: row.created_at,
      provider: this.#settings.providerName,
    };
    if (key.env !== "") meta.env = key.env;
    if (row.deleted_at !== null) meta.deletedAt = row.deleted_at;
    if (row.purge_at !== null) meta.purgeAt = row.purge_at;
    return meta;
  }

  /** The data key a row was sealed under (re-read when another replica re-keyed the scope). */
  #keyFor(key: StateKey, generation: number): Promise<ScopeKey> {
    return this.#keys().key((sql, params) => this.#db.query(sql, params), keyScopeOf(key.scope), generation);
  }

  async #decrypt(key: StateKey, row: VersionRow): Promise<StoredSecret> {
    const version = row.version as number;
    const encoding = row.encoding as ValueEncoding;
    const sealKey = await this.#keyFor(key, row.key_generation as number);
    let plaintext: Buffer;
    try {
      plaintext = sealKey.cipher.open(
        row.ciphertext as Buffer,
        valueBinding(key, version, encoding, String(row.attributes)),
      );
    } catch (err) {
      if (!(err instanceof AuthenticationFailure)) throw err;
      throw new CofferError(
        "INTEGRITY",
        `version ${version} of ${describeState(key)} failed to authenticate: its ciphertext or attributes were altered or moved`,
        { name: key.name, version },
      );
    }
    const secret = this.#metadata(key, row as unknown as ListRow) as StoredSecret;
    secret.value = encoding === "base64" ? plaintext.toString("base64") : plaintext.toString("utf8");
    return secret;
  }

  #notFound(key: { name: string; env: string }): CofferError {
    return new CofferError("NOT_FOUND", `${describeState(key)} not found`, { name: key.name });
  }

  #deleted(
    key: { name: string; env: string },
    row: { deleted_at: string | null; purge_at: string | null },
  ): CofferError {
    return new CofferError(
      "NOT_FOUND",
      `${describeState(key)} is deleted (recoverable until ${row.purge_at}); restore it, or set it again to replace it`,
      {
        name: key.name,
        deletedAt: row.deleted_at,
        purgeAt: row.purge_at,
      },
    );
  }

  /** Refuse a state whose current-version pointer was moved back below its newest version. @throws CofferError INTEGRITY */
  #checkPointer(key: StateKey, row: { current_version: number; newest_version: number | null }): void {
    if (row.newest_version !== null && row.newest_version !== row.current_version) {
      throw new CofferError(
        "INTEGRITY",
        `${describeState(key)} points at version ${row.current_version} but version ${row.newest_version} is newer: the database was edited to roll it back`,
        { name: key.name, version: row.current_version, newestVersion: row.newest_version },
      );
    }
  }

  async #fromRow(key: StateKey, row: VersionRow | undefined, version: number | undefined): Promise<StoredSecret> {
    if (!row) throw this.#notFound(key);
    if (row.deleted_at !== null) throw this.#deleted(key, row);
    this.#checkPointer(key, row);
    if (row.version === null) {
      if (version === undefined) {
        throw new CofferError(
          "INTEGRITY",
          `the current version ${row.current_version} of ${describeState(key)} is missing`,
          {
            name: key.name,
            version: row.current_version,
          },
        );
      }
      throw new CofferError(
        "NOT_FOUND",
        `version ${version} of ${describeState(key)} not found (current is ${row.current_version}; the newest ${this.#settings.historyLimit} are kept)`,
        { name: key.name, version, currentVersion: row.current_version },
      );
    }
    if (
      version !== undefined &&
      row.version !== row.current_version &&
      row.valid_until !== null &&
      row.valid_until <= this.#now().toISOString()
    ) {
      throw new CofferError("EXPIRED", `version ${version} of ${describeState(key)} expired at ${row.valid_until}`, {
        name: key.name,
        version,
        validUntil: row.valid_until,
      });
    }
    return this.#decrypt(key, row);
  }

  /** Read the current or a given version. */
  async get(address: SecretAddress, options: ProviderGetOptions = {}): Promise<StoredSecret> {
    const key = toStateKey(address);
    const version = options?.version;
    if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
      throw new CofferError("INVALID_ARGUMENT", "version must be a whole number, 1 or more", { field: "version" });
    }
    await this.#ready();
    return this.#rereadWhenRekeyed(async () => {
      const rows = await this.#db.query<VersionRow>(STATE_AND_VERSION, [key.scope, key.name, key.env, version ?? null]);
      return this.#fromRow(key, rows[0], version);
    });
  }

  /** Run a read again when the scope was re-keyed between reading a row and opening its key. */
  async #rereadWhenRekeyed<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (!(err instanceof StaleScopeKey)) throw err;
      return read();
    }
  }

  /** The current version, or `undefined` when missing or deleted (no error built). */
  async lookup(address: SecretAddress): Promise<StoredSecret | undefined> {
    const key = toStateKey(address);
    await this.#ready();
    // A server reads the same few secrets over and over: within a request whose change counter
    // was read (REST), answers read under the same counter value are reused.
    const cacheKey = `${key.scope}\u0000${key.name}\u0000${key.env}`;
    const changes = this.#counter.current();
    const kept = this.#lookups.get(cacheKey, changes);
    if (kept) return kept.value && { ...kept.value };
    const found = await this.#rereadWhenRekeyed(async () => {
      const rows = await this.#db.query<VersionRow>(STATE_AND_VERSION, [key.scope, key.name, key.env, null]);
      const row = rows[0];
      if (!row || row.deleted_at !== null) return undefined;
      return this.#fromRow(key, row, undefined);
    });
    if (changes !== undefined && changes === this.#counter.current()) {
      this.#lookups.set(cacheKey, changes, found && freezeParts({ ...found }));
    }
    return found && { ...found };
  }

  /** Read many current versions in one statement (one snapshot); results align with `addresses`. */
  async getMany(addresses: SecretAddress[]): Promise<GetManyResult[]> {
    if (!Array.isArray(addresses)) {
      throw new CofferError("INVALID_ARGUMENT", "getMany needs a list of addresses", { field: "addresses" });
    }
    if (addresses.length > MAX_GET_MANY) {
      throw new CofferError("INVALID_ARGUMENT", `getMany reads at most ${MAX_GET_MANY} secrets at once`, {
        field: "addresses",
      });
    }
    const keys: Array<StateKey | CofferError> = addresses.map((address) => {
      try {
        return toStateKey(address);
      } catch (err) {
        if (isCofferError(err)) return err;
        throw err;
      }
    });
    const valid = keys.filter((k): k is StateKey => !(k instanceof CofferError));
    await this.#ready();
    return this.#rereadWhenRekeyed(() => this.#getMany(keys, valid));
  }

  async #getMany(keys: Array<StateKey | CofferError>, valid: StateKey[]): Promise<GetManyResult[]> {
    const rows =
      valid.length === 0
        ? []
        : await this.#db.query<VersionRow & { i: string }>(
            `SELECT q.i, s.created_at AS state_created_at, s.deleted_at, s.purge_at, s.current_version,
                    v.version, v.key_generation, v.ciphertext, v.encoding, v.attributes, v.created_at, v.valid_until,
                    (SELECT max(n.version) FROM secret_versions n WHERE n.scope = s.scope AND n.name = s.name AND n.env = s.env) AS newest_version
             FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS q(scope, name, env, i)
             JOIN secret_states s ON s.scope = q.scope COLLATE "C" AND s.name = q.name COLLATE "C" AND s.env = q.env COLLATE "C"
             LEFT JOIN secret_versions v ON v.scope = s.scope AND v.name = s.name AND v.env = s.env AND v.version = s.current_version`,
            [valid.map((k) => k.scope), valid.map((k) => k.name), valid.map((k) => k.env)],
          );
    const byIndex = new Map<number, VersionRow>();
    for (const row of rows) byIndex.set(Number(row.i) - 1, row);
    let validIndex = 0;
    const out: GetManyResult[] = [];
    for (const key of keys) {
      if (key instanceof CofferError) {
        out.push({ ok: false, error: key });
        continue;
      }
      const row = byIndex.get(validIndex++);
      try {
        out.push({ ok: true, secret: await this.#fromRow(key, row, undefined) });
      } catch (err) {
        if (!isCofferError(err)) throw err; // StaleScopeKey included: the whole read runs again
        out.push({ ok: false, error: err });
      }
    }
    return out;
  }

  /** Lock one secret (every env state) for the rest of the transaction, across every replica. */
  async #lockSecret(tx: Tx, ref: { scope: string; name: string }): Promise<void> {
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 3))", [JSON.stringify([ref.scope, ref.name])]);
  }

  /** Remove this secret's states whose recovery window has ended (inside its lock). */
  async #sweepExpired(tx: Tx, ref: { scope: string; name: string }, nowIso: string): Promise<void> {
    const gone = await tx.query(
      "DELETE FROM secret_states WHERE scope = $1 AND name = $2 AND purge_at IS NOT NULL AND purge_at <= $3 RETURNING env",
      [ref.scope, ref.name, nowIso],
    );
    if (gone.length > 0) {
      await tx.query("DELETE FROM secret_versions WHERE scope = $1 AND name = $2 AND env = ANY($3::text[])", [
        ref.scope,
        ref.name,
        gone.map((r) => r.env),
      ]);
    }
  }

  async #appendAudit(tx: Tx, audit: AuditFields | undefined, extra: Partial<AuditFields> = {}): Promise<void> {
    if (!audit) return;
    const { auditKey } = await this.#ready();
    try {
      await appendAuditRows(tx, auditKey, [
        { ...audit, ...extra, provider: audit.provider ?? this.#settings.providerName },
      ]);
    } catch (err) {
      throw new CofferError(
        "UNAVAILABLE",
        "the audit log could not record the entry, so nothing was changed",
        {},
        { cause: err },
      );
    }
  }

  /**
   * Run a mutation of one secret: with its data key fetched beforehand (outside the
   * transaction), retried once when another replica re-keyed the scope meanwhile.
   */
  async #mutate<T>(keyScope: string, body: (tx: Tx, sealKey: ScopeKey) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const sealKey = await this.#keys().key((sql, params) => this.#db.query(sql, params), keyScope);
      try {
        try {
          return await this.#db.transaction(async (tx) => {
            await this.#keys().holdCurrent(tx, keyScope, sealKey);
            const result = await body(tx, sealKey);
            await bumpChanges(tx);
            return result;
          });
        } finally {
          // This operation changed the store (or may have): nothing more is kept or used in it.
          this.#counter.forget();
        }
      } catch (err) {
        if (err instanceof StaleScopeKey && attempt < 3) continue;
        if (err instanceof StaleScopeKey)
          throw new CofferError("CONFLICT", "the scope was re-keyed during the write; try again");
        throw err;
      }
    }
  }

  /** Write a new version of one state. */
  async set(address: SecretAddress, write: SecretWrite, options: ProviderSetOptions = {}): Promise<SecretMetadata> {
    const key = toStateKey(address);
    const prepared = prepareWrite(write, key.name);
    const opts = options ?? {};
    if (opts.ifVersion !== undefined && (!Number.isInteger(opts.ifVersion) || opts.ifVersion < 0)) {
      throw new CofferError("INVALID_ARGUMENT", "ifVersion must be a whole number, 0 or more", { field: "ifVersion" });
    }
    if (opts.mode !== undefined && opts.mode !== "create" && opts.mode !== "upsert") {
      throw new CofferError("INVALID_ARGUMENT", 'mode must be "create" or "upsert"', { field: "mode" });
    }
    const audit = opts.audit ? toAuditRow(opts.audit) : undefined;
    await this.#ready();
    return this.#mutate(keyScopeOf(key.scope), async (tx, sealKey) => {
      await this.#lockSecret(tx, key);
      const now = this.#now();
      const nowIso = now.toISOString();
      await this.#sweepExpired(tx, key, nowIso);
      const state = (
        await tx.query<{
          current_version: number;
          created_at: string;
          deleted_at: string | null;
          newest_version: number | null;
        }>(
          `SELECT s.current_version, s.created_at, s.deleted_at,
                  (SELECT max(n.version) FROM secret_versions n WHERE n.scope = s.scope AND n.name = s.name AND n.env = s.env) AS newest_version
           FROM secret_states s WHERE s.scope = $1 AND s.name = $2 AND s.env = $3`,
          [key.scope, key.name, key.env],
        )
      )[0];
      if (state) this.#checkPointer(key, state);
      // A soft-deleted state counts as absent: the write starts it live again, numbered after its
      // deleted versions (which stay in its history).
      const replacedDeleted = state !== undefined && state.deleted_at !== null;
      const live = state !== undefined && !replacedDeleted;
      const stored = state?.current_version ?? 0;
      const current = live ? stored : 0;
      if (opts.mode === "create" && live) {
        throw new CofferError("ALREADY_EXISTS", `${describeState(key)} already exists (version ${current})`, {
          name: key.name,
          currentVersion: current,
        });
      }
      if (opts.ifVersion !== undefined && opts.ifVersion !== current) {
        throw new CofferError(
          "CONFLICT",
          current === 0
            ? `${describeState(key)} does not exist (expected version ${opts.ifVersion})`
            : `${describeState(key)} is at version ${current}, not ${opts.ifVersion}`,
          { name: key.name, currentVersion: current },
        );
      }
      const version = stored + 1;
      const ciphertext = sealKey.cipher.seal(
        prepared.plaintext,
        valueBinding(key, version, prepared.encoding, prepared.attributesJson),
      );
      await tx.query(
        `INSERT INTO secret_versions (scope, name, env, version, key_generation, ciphertext, encoding, attributes, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          key.scope,
          key.name,
          key.env,
          version,
          sealKey.generation,
          ciphertext,
          prepared.encoding,
          prepared.attributesJson,
          prepared.reason,
          nowIso,
        ],
      );
      const createdAt = live ? state.created_at : nowIso;
      await tx.query(
        `INSERT INTO secret_states (scope, name, env, current_version, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scope, name, env) DO UPDATE SET current_version = excluded.current_version,
           created_at = excluded.created_at, deleted_at = NULL, purge_at = NULL`,
        [key.scope, key.name, key.env, version, createdAt],
      );
      if (live && prepared.previousValidForSeconds !== undefined) {
        const validUntil = new Date(now.getTime() + prepared.previousValidForSeconds * 1000).toISOString();
        await tx.query(
          "UPDATE secret_versions SET valid_until = $1 WHERE scope = $2 AND name = $3 AND env = $4 AND version = $5",
          [validUntil, key.scope, key.name, key.env, stored],
        );
      }
      await tx.query("DELETE FROM secret_versions WHERE scope = $1 AND name = $2 AND env = $3 AND version <= $4", [
        key.scope,
        key.name,
        key.env,
        version - this.#settings.historyLimit,
      ]);
      await this.#appendAudit(tx, audit, { version: audit?.version ?? version });
      const meta = this.#metadata(key, {
        state_created_at: createdAt,
        deleted_at: null,
        purge_at: null,
        version,
        encoding: prepared.encoding,
        attributes: prepared.attributesJson,
        created_at: nowIso,
      });
      if (replacedDeleted) meta.replacedDeleted = true;
      return meta;
    });
  }

  #checkRef(ref: SecretRef): { scope: string; name: string } {
    if (!ref || typeof ref !== "object")
      throw new CofferError("INVALID_ARGUMENT", "secret reference is required", { field: "name" });
    return { scope: checkScope(ref.scope), name: checkName(ref.name) };
  }

  #states(tx: Tx, ref: { scope: string; name: string }) {
    return tx.query<{ env: string; deleted_at: string | null; purge_at: string | null }>(
      "SELECT env, deleted_at, purge_at FROM secret_states WHERE scope = $1 AND name = $2",
      [ref.scope, ref.name],
    );
  }

  async #countVersions(tx: Tx, ref: { scope: string; name: string }): Promise<number> {
    const rows = await tx.query<{ n: string }>(
      "SELECT count(*) AS n FROM secret_versions WHERE scope = $1 AND name = $2",
      [ref.scope, ref.name],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async #purgeRows(tx: Tx, ref: { scope: string; name: string }): Promise<number> {
    const removed = await tx.query("DELETE FROM secret_versions WHERE scope = $1 AND name = $2 RETURNING version", [
      ref.scope,
      ref.name,
    ]);
    await tx.query("DELETE FROM secret_states WHERE scope = $1 AND name = $2", [ref.scope, ref.name]);
    return removed.length;
  }

  /** Soft-delete (or purge) every state of a secret. */
  async delete(ref: SecretRef, options: ProviderDeleteOptions = {}): Promise<DeleteOutcome> {
    const r = this.#checkRef(ref);
    const opts = options ?? {};
    const days = opts.recoveryWindowDays ?? this.#settings.recoveryWindowDays;
    if (typeof days !== "number" || !Number.isFinite(days) || days <= 0 || days > 3650) {
      throw new CofferError("INVALID_ARGUMENT", "recoveryWindowDays must be more than 0 and at most 3650", {
        field: "recoveryWindowDays",
      });
    }
    const audit = opts.audit ? toAuditRow(opts.audit) : undefined;
    await this.#ready();
    return this.#mutate(keyScopeOf(r.scope), async (tx): Promise<DeleteOutcome> => {
      await this.#lockSecret(tx, r);
      const now = this.#now();
      await this.#sweepExpired(tx, r, now.toISOString());
      const states = await this.#states(tx, r);
      if (states.length === 0) throw this.#notFound({ name: r.name, env: "" });
      let outcome: DeleteOutcome;
      if (opts.purge) {
        outcome = { versionsDeleted: await this.#purgeRows(tx, r), purged: true };
      } else {
        // States deleted before (a secret written again after a delete) keep their own dates.
        const live = states.filter((s) => s.deleted_at === null);
        if (live.length === 0) throw this.#deleted({ name: r.name, env: "" }, states[0]!);
        const versions = await tx.query<{ n: string }>(
          `SELECT count(*) AS n FROM secret_versions v JOIN secret_states s
             ON s.scope = v.scope AND s.name = v.name AND s.env = v.env
           WHERE v.scope = $1 AND v.name = $2 AND s.deleted_at IS NULL`,
          [r.scope, r.name],
        );
        const purgeAt = new Date(now.getTime() + days * DAY_MS).toISOString();
        await tx.query(
          "UPDATE secret_states SET deleted_at = $1, purge_at = $2 WHERE scope = $3 AND name = $4 AND deleted_at IS NULL",
          [now.toISOString(), purgeAt, r.scope, r.name],
        );
        outcome = { versionsDeleted: Number(versions[0]?.n ?? 0), purged: false, purgeAt };
      }
      await this.#appendAudit(tx, audit);
      return outcome;
    });
  }

  /** Bring back a soft-deleted secret with all its versions. */
  async restore(ref: SecretRef, options: ProviderMutationOptions = {}): Promise<{ versionsRestored: number }> {
    const r = this.#checkRef(ref);
    const audit = options?.audit ? toAuditRow(options.audit) : undefined;
    await this.#ready();
    return this.#mutate(keyScopeOf(r.scope), async (tx) => {
      await this.#lockSecret(tx, r);
      await this.#sweepExpired(tx, r, this.#now().toISOString());
      const states = await this.#states(tx, r);
      if (states.length === 0) throw this.#notFound({ name: r.name, env: "" });
      if (states.every((s) => s.deleted_at === null)) {
        throw new CofferError("CONFLICT", `secret ${quoteName(r.name)} is not deleted; there is nothing to restore`, {
          name: r.name,
        });
      }
      await tx.query("UPDATE secret_states SET deleted_at = NULL, purge_at = NULL WHERE scope = $1 AND name = $2", [
        r.scope,
        r.name,
      ]);
      const versionsRestored = await this.#countVersions(tx, r);
      await this.#appendAudit(tx, audit);
      return { versionsRestored };
    });
  }

  /** Remove a secret (deleted or not) and every version irrecoverably. */
  async purge(ref: SecretRef, options: ProviderMutationOptions = {}): Promise<{ versionsDeleted: number }> {
    const r = this.#checkRef(ref);
    const audit = options?.audit ? toAuditRow(options.audit) : undefined;
    await this.#ready();
    return this.#mutate(keyScopeOf(r.scope), async (tx) => {
      await this.#lockSecret(tx, r);
      await this.#sweepExpired(tx, r, this.#now().toISOString());
      if ((await this.#states(tx, r)).length === 0) throw this.#notFound({ name: r.name, env: "" });
      const versionsDeleted = await this.#purgeRows(tx, r);
      await this.#appendAudit(tx, audit);
      return { versionsDeleted };
    });
  }

  /** One page of current metadata, ordered by scope, name, env. */
  async list(query: ProviderListQuery = {}): Promise<Page<SecretMetadata>> {
    const q = query ?? {};
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (q.cursor !== undefined) {
      const after = decodeListCursor(q.cursor);
      where.push(`(s.scope, s.name, s.env) > (${param(after.scope)}, ${param(after.name)}, ${param(after.env)})`);
    }
    if (q.scope !== undefined) where.push(`s.scope = ${param(checkScope(q.scope))}`);
    if (q.prefix !== undefined && q.prefix !== "") {
      if (typeof q.prefix !== "string")
        throw new CofferError("INVALID_ARGUMENT", "prefix must be a string", { field: "prefix" });
      const p = param(q.prefix);
      where.push(`s.name >= ${p} AND left(s.name, length(${p})) = ${p}`);
    }
    if (q.includeDeleted) where.push(`(s.deleted_at IS NULL OR s.purge_at > ${param(this.#now().toISOString())})`);
    else where.push("s.deleted_at IS NULL");
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new CofferError("INVALID_ARGUMENT", "limit must be a positive whole number", { field: "limit" });
    }
    const pageSize = Math.min(limit, MAX_LIST_LIMIT);
    const limitParam = param(pageSize + 1);
    await this.#ready();
    const rows = await this.#db.query<ListRow>(
      `SELECT s.scope, s.name, s.env, s.created_at AS state_created_at, s.deleted_at, s.purge_at,
              v.version, v.encoding, v.attributes, v.created_at
       FROM secret_states s
       JOIN secret_versions v ON v.scope = s.scope AND v.name = s.name AND v.env = s.env AND v.version = s.current_version
       WHERE ${where.join(" AND ")}
       ORDER BY s.scope, s.name, s.env
       LIMIT ${limitParam}`,
      params,
    );
    const page = rows.slice(0, pageSize);
    const items = page.map((row) => this.#metadata(row, row));
    const last = page[page.length - 1];
    return rows.length > pageSize && last ? { items, nextCursor: encodeListCursor(last) } : { items };
  }

  /** Version history of one state, newest first. */
  async history(address: SecretAddress): Promise<SecretVersionInfo[]> {
    const key = toStateKey(address);
    await this.#ready();
    return this.#db.transaction(async (tx) => {
      await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const state = (
        await tx.query<{ current_version: number; deleted_at: string | null; purge_at: string | null }>(
          "SELECT current_version, deleted_at, purge_at FROM secret_states WHERE scope = $1 AND name = $2 AND env = $3",
          [key.scope, key.name, key.env],
        )
      )[0];
      if (!state) throw this.#notFound(key);
      if (state.deleted_at !== null) throw this.#deleted(key, state);
      const rows = await tx.query<{
        version: number;
        created_at: string;
        reason: string | null;
        valid_until: string | null;
      }>(
        `SELECT version, created_at, reason, valid_until FROM secret_versions
         WHERE scope = $1 AND name = $2 AND env = $3 ORDER BY version DESC`,
        [key.scope, key.name, key.env],
      );
      return rows.map((row) => {
        const info: SecretVersionInfo = {
          version: row.version,
          createdAt: row.created_at,
          current: row.version === state.current_version,
        };
        if (row.valid_until !== null) info.validUntil = row.valid_until;
        if (row.reason !== null) info.reason = row.reason;
        return info;
      });
    });
  }

  /**
   * Re-key one key scope: a new data key (next generation) and every stored version of the
   * scope re-encrypted under it, in one transaction that locks the key row (writes to the
   * scope wait, then retry with the new key). The old key is gone when it commits.
   * @returns the number of versions re-encrypted and the new generation
   */
  async rekey(keyScope: string, audit?: AuditFields): Promise<{ versions: number; generation: number }> {
    await this.#ready();
    const old = await this.#keys().key((sql, params) => this.#db.query(sql, params), keyScope);
    const result = await this.#db.transaction(async (tx) => {
      const current = (
        await tx.query<{ generation: number }>("SELECT generation FROM data_keys WHERE key_scope = $1 FOR UPDATE", [
          keyScope,
        ])
      )[0];
      if (!current || current.generation !== old.generation) throw new StaleScopeKey();
      const generation = current.generation + 1;
      const { row, key } = await this.#keys().newKeyRow(keyScope, generation);
      const fresh: ScopeKey = { generation, cipher: new AeadCipher(key), key };
      const scopes =
        keyScope === "default"
          ? "NOT (scope LIKE 'team:%' OR scope LIKE 'org:%' OR scope LIKE 'project:%')"
          : "scope = $1";
      const versions = await tx.query<{
        scope: string;
        name: string;
        env: string;
        version: number;
        ciphertext: Buffer;
        encoding: string;
        attributes: string;
      }>(
        `SELECT scope, name, env, version, ciphertext, encoding, attributes FROM secret_versions WHERE ${scopes} FOR UPDATE`,
        keyScope === "default" ? [] : [keyScope],
      );
      for (const v of versions) {
        const binding = valueBinding({ scope: v.scope, name: v.name, env: v.env }, v.version, v.encoding, v.attributes);
        let plaintext: Buffer;
        try {
          plaintext = old.cipher.open(v.ciphertext, binding);
        } catch {
          throw new CofferError(
            "INTEGRITY",
            `version ${v.version} of ${describeState(v)} failed to authenticate; nothing was re-keyed`,
            {
              name: v.name,
              version: v.version,
            },
          );
        }
        await tx.query(
          "UPDATE secret_versions SET ciphertext = $1, key_generation = $2 WHERE scope = $3 AND name = $4 AND env = $5 AND version = $6",
          [fresh.cipher.seal(plaintext, binding), generation, v.scope, v.name, v.env, v.version],
        );
        plaintext.fill(0);
      }
      await tx.query(
        "UPDATE data_keys SET generation = $1, wrapped = $2, key_check = $3, created_at = $4 WHERE key_scope = $5",
        [generation, row.wrapped, row.key_check, this.#now().toISOString(), keyScope],
      );
      await this.#appendAudit(tx, audit);
      await bumpChanges(tx);
      return { versions: versions.length, generation, fresh };
    });
    this.#keys().forget(keyScope);
    this.#keys().remember(keyScope, result.fresh);
    return { versions: result.versions, generation: result.generation };
  }
}

/** Freeze the shared parts of a kept secret (callers get a shallow copy of the rest). */
function freezeParts(secret: StoredSecret): StoredSecret {
  Object.freeze(secret.scope);
  if (secret.tags) Object.freeze(secret.tags);
  if (secret.allowedAgentIds) Object.freeze(secret.allowedAgentIds);
  return Object.freeze(secret);
}
