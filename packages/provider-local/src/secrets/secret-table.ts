import {
  type BatchWrite,
  CofferError,
  type DeleteOutcome,
  type GetManyResult,
  type Page,
  type ProviderBatchOptions,
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
  scopeKey,
  type ValueEncoding,
} from "@coffer/core";
import { toAuditRow } from "../audit/audit-record.js";
import { appendAuditRow } from "../audit/local-audit-log.js";
import { AuthenticationFailure } from "../crypto/aead-cipher.js";
import { toStoreError } from "../db/sqlite-errors.js";
import type { StateRecord } from "../integrity/state-record.js";
import type { StoreSession } from "../store/store-session.js";
import { UnchangedStoreCache } from "../store/unchanged-store-cache.js";
import { decodeListCursor, encodeListCursor } from "./list-cursor.js";
import { prepareWrite } from "./secret-write.js";
import { checkAbsent, checkStateRecord, insertState, removeState, updateState } from "./state-chain.js";
import { checkName, checkScope, describeState, type StateKey, toStateKey } from "./state-key.js";
import { valueBinding } from "./value-binding.js";

/** A write validated before its transaction. */
interface PlannedWrite {
  key: StateKey;
  prepared: ReturnType<typeof prepareWrite>;
  opts: ProviderSetOptions;
  audit: ReturnType<typeof toAuditRow> | undefined;
}

/** The authenticated part of a state row (see `StateRecord`), as read beside a version. */
interface StateColumns {
  state_created_at: string;
  deleted_at: string | null;
  purge_at: string | null;
  current_version: number;
  next_scope: string | null;
  next_name: string | null;
  next_env: string | null;
  mac: Buffer | null;
}

/** A version row joined with its state row. */
interface VersionRow extends StateColumns {
  /** The newest version stored for the state (equals `current_version` unless the file was edited). */
  newest_version: number | null;
  version: number | null;
  ciphertext: Buffer | null;
  encoding: ValueEncoding | null;
  attributes: string | null;
  created_at: string | null;
  valid_until: string | null;
}

/** A listed state with its current version's metadata. */
interface ListRow extends StateColumns {
  scope: string;
  name: string;
  env: string;
  version: number;
  encoding: ValueEncoding;
  attributes: string;
  created_at: string;
}

/**
 * Columns of one version, read by correlated scalar subqueries on the state row. (A JOIN with
 * bound parameters is re-planned by SQLite on every run, which costs ~10x the whole read.)
 */
function versionColumns(versionExpr: string): string {
  const col = (c: string, as = c) =>
    `(SELECT v.${c} FROM secret_versions v WHERE v.scope = s.scope AND v.name = s.name AND v.env = s.env AND v.version = ${versionExpr}) AS ${as}`;
  return [
    col("version"),
    col("ciphertext"),
    col("encoding"),
    col("attributes"),
    col("created_at"),
    col("valid_until"),
  ].join(",\n       ");
}

/**
 * The newest stored version of the state. Every write adds a version above the current one and
 * makes it current (a rollback too: it writes the old value as a new version), so the current
 * version is always the newest; a pointer moved back in the file shows up here.
 */
const NEWEST_VERSION = `(SELECT max(n.version) FROM secret_versions n WHERE n.scope = s.scope AND n.name = s.name AND n.env = s.env) AS newest_version`;

/** The state columns a read authenticates. */
const STATE_COLUMNS =
  "s.created_at AS state_created_at, s.deleted_at, s.purge_at, s.current_version, s.next_scope, s.next_name, s.next_env, s.mac";

/** The state record of `key` from the state columns of a row. */
function toRecord(key: StateKey, row: StateColumns): StateRecord {
  return {
    scope: key.scope,
    name: key.name,
    env: key.env,
    current_version: row.current_version,
    created_at: row.state_created_at,
    deleted_at: row.deleted_at,
    purge_at: row.purge_at,
    next_scope: row.next_scope,
    next_name: row.next_name,
    next_env: row.next_env,
    mac: row.mac,
  };
}

const GET_CURRENT = `
SELECT ${STATE_COLUMNS},
       ${versionColumns("s.current_version")},
       ${NEWEST_VERSION}
FROM secret_states s
WHERE s.scope = ? AND s.name = ? AND s.env = ?`;

const GET_VERSION = `
SELECT ${STATE_COLUMNS},
       ${versionColumns("@version")},
       ${NEWEST_VERSION}
FROM secret_states s
WHERE s.scope = @scope AND s.name = @name AND s.env = @env`;

const MAX_LIST_LIMIT = 1000;
const MAX_GET_MANY = 10_000;
const DAY_MS = 86_400_000;
/** Current-version reads (hits and misses) kept while the store is unchanged. */
const LOOKUP_CACHE_ENTRIES = 4096;

/** Settings the table needs from the provider. */
export interface SecretTableSettings {
  /** Provider instance name (set on metadata). */
  providerName: string;
  /** Versions kept per state. */
  historyLimit: number;
  /** Default recovery window of soft deletes, in days. */
  recoveryWindowDays: number;
  /** Current time. */
  clock: () => Date;
}

/** Secret states and versions in the local store: every Provider operation on values. */
export class SecretTable {
  readonly #session: () => StoreSession;
  readonly #settings: SecretTableSettings;
  readonly #lookups = new UnchangedStoreCache<StoredSecret | undefined>(LOOKUP_CACHE_ENTRIES);

  constructor(session: () => StoreSession, settings: SecretTableSettings) {
    this.#session = session;
    this.#settings = settings;
  }

  #now(): Date {
    const now = this.#settings.clock();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      throw new CofferError("CONFIG", "the local provider's clock returned an invalid date", { field: "clock" });
    }
    return now;
  }

  #metadata(
    key: StateKey,
    row: Pick<
      ListRow,
      "attributes" | "version" | "encoding" | "state_created_at" | "created_at" | "deleted_at" | "purge_at"
    >,
  ): SecretMetadata {
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

  #decrypt(session: StoreSession, key: StateKey, row: VersionRow): StoredSecret {
    const version = row.version as number;
    const encoding = row.encoding as ValueEncoding;
    let plaintext: Buffer;
    try {
      plaintext = session.cipher.open(
        row.ciphertext as Buffer,
        valueBinding(key, version, encoding, String(row.attributes)),
      );
    } catch (err) {
      if (!(err instanceof AuthenticationFailure)) throw err;
      throw new CofferError(
        "INTEGRITY",
        `version ${version} of ${describeState(key)} failed to authenticate: its ciphertext or attributes were altered or moved (store ${session.path})`,
        { name: key.name, version, path: session.path },
      );
    }
    const secret = this.#metadata(key, row as unknown as ListRow) as StoredSecret;
    secret.value = encoding === "base64" ? plaintext.toString("base64") : plaintext.toString("utf8");
    return secret;
  }

  /** NOT_FOUND for a state with no record, once its absence is authenticated. @throws CofferError INTEGRITY */
  #missing(session: StoreSession, key: StateKey): CofferError {
    checkAbsent(session, key);
    return this.#notFound(key);
  }

  #notFound(key: StateKey): CofferError {
    return new CofferError("NOT_FOUND", `${describeState(key)} not found`, { name: key.name });
  }

  #deleted(
    key: { name: string; env: string },
    row: { deleted_at: string | null; purge_at: string | null },
  ): CofferError {
    return new CofferError(
      "NOT_FOUND",
      `${describeState(key)} is deleted (recoverable until ${row.purge_at}); restore it, or set it again to replace it`,
      { name: key.name, deletedAt: row.deleted_at, purgeAt: row.purge_at },
    );
  }

  /**
   * Refuse a state whose current-version pointer is not its newest version: the store file was
   * edited to roll the secret back to an older (authentic) value.
   * @throws CofferError INTEGRITY
   */
  #checkPointer(
    session: StoreSession,
    key: StateKey,
    row: { current_version: number; newest_version: number | null },
  ): void {
    if (row.newest_version !== null && row.newest_version !== row.current_version) {
      throw new CofferError(
        "INTEGRITY",
        `${describeState(key)} points at version ${row.current_version} but version ${row.newest_version} is newer: the store ${session.path} was edited to roll it back`,
        { name: key.name, version: row.current_version, newestVersion: row.newest_version, path: session.path },
      );
    }
  }

  /** Decrypt the current version row of a live state. */
  #fromCurrentRow(session: StoreSession, key: StateKey, row: VersionRow): StoredSecret {
    this.#checkPointer(session, key, row);
    if (row.version === null) {
      throw new CofferError(
        "INTEGRITY",
        `the current version ${row.current_version} of ${describeState(key)} is missing from the store ${session.path}`,
        { name: key.name, version: row.current_version, path: session.path },
      );
    }
    return this.#decrypt(session, key, row);
  }

  /** Read one state synchronously (inside a read or snapshot). */
  #readSync(session: StoreSession, key: StateKey, version: number | undefined): StoredSecret {
    if (version === undefined) {
      const row = session.statement(GET_CURRENT).get(key.scope, key.name, key.env) as VersionRow | undefined;
      if (!row) throw this.#missing(session, key);
      checkStateRecord(session, toRecord(key, row));
      if (row.deleted_at !== null) throw this.#deleted(key, row);
      return this.#fromCurrentRow(session, key, row);
    }
    const row = session.statement(GET_VERSION).get({ version, ...key }) as VersionRow | undefined;
    if (!row) throw this.#missing(session, key);
    checkStateRecord(session, toRecord(key, row));
    if (row.deleted_at !== null) throw this.#deleted(key, row);
    this.#checkPointer(session, key, row);
    if (row.version === null) {
      throw new CofferError(
        "NOT_FOUND",
        `version ${version} of ${describeState(key)} not found (current is ${row.current_version}; the newest ${this.#settings.historyLimit} are kept)`,
        { name: key.name, version, currentVersion: row.current_version },
      );
    }
    if (
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
    return this.#decrypt(session, key, row);
  }

  /** Read the current or a given version. */
  async get(address: SecretAddress, options: ProviderGetOptions = {}): Promise<StoredSecret> {
    const key = toStateKey(address);
    const version = options?.version;
    if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
      throw new CofferError("INVALID_ARGUMENT", "version must be a whole number, 1 or more", { field: "version" });
    }
    const session = this.#session();
    return session.read(() => this.#readSync(session, key, version));
  }

  /**
   * Read the current version, or `undefined` when the state is missing or deleted: the chain's
   * fast path, which avoids building an error for every scope a read cascades through.
   */
  async lookup(address: SecretAddress): Promise<StoredSecret | undefined> {
    const key = toStateKey(address);
    const session = this.#session();
    // A long-running front end (REST, MCP) reads the same few secrets over and over: answers are
    // kept until anything in the store changes (the epoch is read before the row it guards).
    const found = await session.read(() =>
      this.#lookups.read(session.epoch(), `${key.scope}\0${key.name}\0${key.env}`, () => {
        const row = session.statement(GET_CURRENT).get(key.scope, key.name, key.env) as VersionRow | undefined;
        if (!row) {
          checkAbsent(session, key);
          return undefined;
        }
        checkStateRecord(session, toRecord(key, row));
        if (row.deleted_at !== null) return undefined;
        return freezeParts(this.#fromCurrentRow(session, key, row));
      }),
    );
    return found && { ...found };
  }

  /** Forget cached reads (the store is closing). */
  forgetCachedReads(): void {
    this.#lookups.clear();
  }

  /** Read many current versions in one snapshot; results align with `addresses`. */
  async getMany(addresses: SecretAddress[]): Promise<GetManyResult[]> {
    if (!Array.isArray(addresses)) {
      throw new CofferError("INVALID_ARGUMENT", "getMany needs a list of addresses", { field: "addresses" });
    }
    if (addresses.length > MAX_GET_MANY) {
      throw new CofferError("INVALID_ARGUMENT", `getMany reads at most ${MAX_GET_MANY} secrets at once`, {
        field: "addresses",
      });
    }
    const session = this.#session();
    return session.readSnapshot(() =>
      addresses.map((address): GetManyResult => {
        try {
          return { ok: true, secret: this.#readSync(session, toStateKey(address), undefined) };
        } catch (err) {
          return { ok: false, error: toStoreError(err, session.path) };
        }
      }),
    );
  }

  /** Remove soft-deleted secrets whose recovery window has ended (inside a write transaction). */
  #sweepExpired(session: StoreSession, nowIso: string): void {
    const expired = session
      .statement("SELECT scope, name, env FROM secret_states WHERE purge_at IS NOT NULL AND purge_at <= ?")
      .all(nowIso) as StateKey[];
    for (const key of expired) this.#removeStateRows(session, key);
  }

  /** Delete one state's versions and its record. Returns the number of versions deleted. */
  #removeStateRows(session: StoreSession, key: StateKey): number {
    const removed = session
      .statement("DELETE FROM secret_versions WHERE scope = ? AND name = ? AND env = ?")
      .run(key.scope, key.name, key.env).changes;
    removeState(session, key);
    return removed;
  }

  /** Write a new version of one state. */
  async set(address: SecretAddress, write: SecretWrite, options: ProviderSetOptions = {}): Promise<SecretMetadata> {
    const planned = this.#planWrite({ address, write, options });
    const session = this.#session();
    return session.write(() => {
      const now = this.#now();
      this.#sweepExpired(session, now.toISOString());
      return this.#writeSync(session, planned, now);
    });
  }

  /**
   * Write several states in one transaction, all or nothing, with each write's audit entry and
   * the extra `audit` entries (appended after the writes).
   */
  async writeBatch(writes: BatchWrite[], options: ProviderBatchOptions = {}): Promise<SecretMetadata[]> {
    if (!Array.isArray(writes)) throw new CofferError("INVALID_ARGUMENT", "writes must be a list", { field: "writes" });
    const planned = writes.map((w) => this.#planWrite(w));
    const extra = (options.audit ?? []).map(toAuditRow);
    const session = this.#session();
    return session.write(() => {
      const now = this.#now();
      this.#sweepExpired(session, now.toISOString());
      const out = planned.map((p) => this.#writeSync(session, p, now));
      for (const row of extra)
        appendAuditRow(session, { ...row, provider: row.provider ?? this.#settings.providerName });
      return out;
    });
  }

  /** Validate one write before any transaction. */
  #planWrite({ address, write, options }: BatchWrite): PlannedWrite {
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
    return { key, prepared, opts, audit };
  }

  /** One write inside a write transaction. */
  #writeSync(session: StoreSession, { key, prepared, opts, audit }: PlannedWrite, now: Date): SecretMetadata {
    const nowIso = now.toISOString();
    const state = session
      .statement(
        `SELECT s.current_version, s.created_at, s.deleted_at, ${NEWEST_VERSION} FROM secret_states s WHERE s.scope = ? AND s.name = ? AND s.env = ?`,
      )
      .get(key.scope, key.name, key.env) as
      | { current_version: number; created_at: string; deleted_at: string | null; newest_version: number | null }
      | undefined;
    if (state) this.#checkPointer(session, key, state);
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
    const ciphertext = session.cipher.seal(
      prepared.plaintext,
      valueBinding(key, version, prepared.encoding, prepared.attributesJson),
    );
    session
      .statement(
        `INSERT INTO secret_versions (scope, name, env, version, ciphertext, encoding, attributes, reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        key.scope,
        key.name,
        key.env,
        version,
        ciphertext,
        prepared.encoding,
        prepared.attributesJson,
        prepared.reason,
        nowIso,
      );
    const createdAt = live ? state.created_at : nowIso;
    if (state) {
      updateState(session, key, {
        current_version: version,
        created_at: createdAt,
        deleted_at: null,
        purge_at: null,
      });
    } else {
      insertState(session, key, {
        current_version: version,
        created_at: createdAt,
        deleted_at: null,
        purge_at: null,
      });
    }
    if (live && prepared.previousValidForSeconds !== undefined) {
      const validUntil = new Date(now.getTime() + prepared.previousValidForSeconds * 1000).toISOString();
      session
        .statement(
          "UPDATE secret_versions SET valid_until = ? WHERE scope = ? AND name = ? AND env = ? AND version = ?",
        )
        .run(validUntil, key.scope, key.name, key.env, stored);
    }
    session
      .statement("DELETE FROM secret_versions WHERE scope = ? AND name = ? AND env = ? AND version <= ?")
      .run(key.scope, key.name, key.env, version - this.#settings.historyLimit);
    if (audit) {
      appendAuditRow(session, {
        ...audit,
        version: audit.version ?? version,
        provider: audit.provider ?? this.#settings.providerName,
      });
    }
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
  }

  #checkRef(ref: SecretRef): { scope: string; name: string } {
    if (!ref || typeof ref !== "object") {
      throw new CofferError("INVALID_ARGUMENT", "secret reference is required", { field: "name" });
    }
    return { scope: checkScope(ref.scope), name: checkName(ref.name) };
  }

  /**
   * Every env state of a secret. None at all is authenticated as a genuine absence.
   * @throws CofferError INTEGRITY when the secret's records were removed from the file
   */
  #states(session: StoreSession, ref: { scope: string; name: string }) {
    const states = session
      .statement("SELECT env, deleted_at, purge_at FROM secret_states WHERE scope = ? AND name = ?")
      .all(ref.scope, ref.name) as Array<{ env: string; deleted_at: string | null; purge_at: string | null }>;
    if (states.length === 0) checkAbsent(session, { ...ref, env: "" }, true);
    return states;
  }

  #countVersions(session: StoreSession, ref: { scope: string; name: string }): number {
    return (
      session
        .statement("SELECT count(*) AS n FROM secret_versions WHERE scope = ? AND name = ?")
        .get(ref.scope, ref.name) as {
        n: number;
      }
    ).n;
  }

  #purgeRows(session: StoreSession, ref: { scope: string; name: string }, states: Array<{ env: string }>): number {
    let removed = 0;
    for (const { env } of states) removed += this.#removeStateRows(session, { ...ref, env });
    return removed;
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
    const session = this.#session();
    return session.write((): DeleteOutcome => {
      const now = this.#now();
      this.#sweepExpired(session, now.toISOString());
      const states = this.#states(session, r);
      if (states.length === 0) throw this.#notFound({ ...r, env: "" });
      let outcome: DeleteOutcome;
      if (opts.purge) {
        outcome = { versionsDeleted: this.#purgeRows(session, r, states), purged: true };
      } else {
        // States deleted before (a secret written again after a delete) keep their own dates.
        const live = states.filter((s) => s.deleted_at === null);
        if (live.length === 0) throw this.#deleted({ name: r.name, env: "" }, states[0]!);
        const versions = session
          .statement(
            `SELECT count(*) AS n FROM secret_versions v JOIN secret_states s
               ON s.scope = v.scope AND s.name = v.name AND s.env = v.env
             WHERE v.scope = ? AND v.name = ? AND s.deleted_at IS NULL`,
          )
          .get(r.scope, r.name) as { n: number };
        const purgeAt = new Date(now.getTime() + days * DAY_MS).toISOString();
        for (const { env } of live) {
          updateState(session, { ...r, env }, { deleted_at: now.toISOString(), purge_at: purgeAt });
        }
        outcome = { versionsDeleted: versions.n, purged: false, purgeAt };
      }
      if (audit) appendAuditRow(session, { ...audit, provider: audit.provider ?? this.#settings.providerName });
      return outcome;
    });
  }

  /** Bring back a soft-deleted secret with all its versions. */
  async restore(ref: SecretRef, options: ProviderMutationOptions = {}): Promise<{ versionsRestored: number }> {
    const r = this.#checkRef(ref);
    const audit = options?.audit ? toAuditRow(options.audit) : undefined;
    const session = this.#session();
    return session.write(() => {
      this.#sweepExpired(session, this.#now().toISOString());
      const states = this.#states(session, r);
      if (states.length === 0) throw this.#notFound({ ...r, env: "" });
      if (states.every((s) => s.deleted_at === null)) {
        throw new CofferError("CONFLICT", `secret ${quoteName(r.name)} is not deleted; there is nothing to restore`, {
          name: r.name,
        });
      }
      for (const { env } of states) updateState(session, { ...r, env }, { deleted_at: null, purge_at: null });
      const versionsRestored = this.#countVersions(session, r);
      if (audit) appendAuditRow(session, { ...audit, provider: audit.provider ?? this.#settings.providerName });
      return { versionsRestored };
    });
  }

  /** Remove a secret (deleted or not) and every version irrecoverably. */
  async purge(ref: SecretRef, options: ProviderMutationOptions = {}): Promise<{ versionsDeleted: number }> {
    const r = this.#checkRef(ref);
    const audit = options?.audit ? toAuditRow(options.audit) : undefined;
    const session = this.#session();
    return session.write(() => {
      this.#sweepExpired(session, this.#now().toISOString());
      const states = this.#states(session, r);
      if (states.length === 0) throw this.#notFound({ ...r, env: "" });
      const versionsDeleted = this.#purgeRows(session, r, states);
      if (audit) appendAuditRow(session, { ...audit, provider: audit.provider ?? this.#settings.providerName });
      return { versionsDeleted };
    });
  }

  /** One page of current metadata, ordered by scope, name, env. */
  async list(query: ProviderListQuery = {}): Promise<Page<SecretMetadata>> {
    const q = query ?? {};
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.cursor !== undefined) {
      const after = decodeListCursor(q.cursor);
      where.push("(s.scope, s.name, s.env) > (?, ?, ?)");
      params.push(after.scope, after.name, after.env);
    }
    if (q.after !== undefined) {
      if (!q.after || typeof q.after.name !== "string" || !q.after.scope || typeof q.after.scope.kind !== "string") {
        throw new CofferError("INVALID_ARGUMENT", "after needs a scope and a name", { field: "after" });
      }
      where.push("(s.scope, s.name) > (?, ?)");
      params.push(scopeKey(q.after.scope), q.after.name);
    }
    if (q.scope !== undefined) {
      where.push("s.scope = ?");
      params.push(checkScope(q.scope));
    }
    if (q.prefix !== undefined && q.prefix !== "") {
      if (typeof q.prefix !== "string") {
        throw new CofferError("INVALID_ARGUMENT", "prefix must be a string", { field: "prefix" });
      }
      where.push("s.name >= ? AND substr(s.name, 1, length(?)) = ?");
      params.push(q.prefix, q.prefix, q.prefix);
    }
    if (q.includeDeleted) {
      where.push("(s.deleted_at IS NULL OR s.purge_at > ?)");
      params.push(this.#now().toISOString());
    } else {
      where.push("s.deleted_at IS NULL");
    }
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new CofferError("INVALID_ARGUMENT", "limit must be a positive whole number", { field: "limit" });
    }
    const pageSize = Math.min(limit, MAX_LIST_LIMIT);
    params.push(pageSize + 1);
    const sql = `
      SELECT s.scope, s.name, s.env, ${STATE_COLUMNS},
             v.version, v.encoding, v.attributes, v.created_at
      FROM secret_states s
      JOIN secret_versions v ON v.scope = s.scope AND v.name = s.name AND v.env = s.env AND v.version = s.current_version
      WHERE ${where.join(" AND ")}
      ORDER BY s.scope, s.name, s.env
      LIMIT ?`;
    const session = this.#session();
    const rows = await session.read(() => session.statement(sql).all(...params) as ListRow[]);
    const page = rows.slice(0, pageSize);
    for (const row of page) checkStateRecord(session, toRecord(row, row));
    const items = page.map((row) => this.#metadata(row, row));
    const last = page[page.length - 1];
    return rows.length > pageSize && last ? { items, nextCursor: encodeListCursor(last) } : { items };
  }

  /** Version history of one state, newest first. */
  async history(address: SecretAddress): Promise<SecretVersionInfo[]> {
    const key = toStateKey(address);
    const session = this.#session();
    return session.readSnapshot(() => {
      const state = session
        .statement(`SELECT ${STATE_COLUMNS} FROM secret_states s WHERE s.scope = ? AND s.name = ? AND s.env = ?`)
        .get(key.scope, key.name, key.env) as StateColumns | undefined;
      if (!state) throw this.#missing(session, key);
      checkStateRecord(session, toRecord(key, state));
      if (state.deleted_at !== null) throw this.#deleted(key, state);
      const rows = session
        .statement(
          `SELECT version, created_at, reason, valid_until FROM secret_versions
           WHERE scope = ? AND name = ? AND env = ? ORDER BY version DESC`,
        )
        .all(key.scope, key.name, key.env) as Array<{
        version: number;
        created_at: string;
        reason: string | null;
        valid_until: string | null;
      }>;
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
}

/** Freeze the shared parts of a cached secret (callers get a shallow copy of the rest). */
function freezeParts(secret: StoredSecret): StoredSecret {
  Object.freeze(secret.scope);
  if (secret.tags) Object.freeze(secret.tags);
  if (secret.allowedAgentIds) Object.freeze(secret.allowedAgentIds);
  return Object.freeze(secret);
}
