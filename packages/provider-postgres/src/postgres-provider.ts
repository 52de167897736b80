import { randomUUID } from "node:crypto";
import {
  type AuditEntryInput,
  CofferError,
  type DeleteOutcome,
  type GetManyResult,
  type Page,
  type Provider,
  type ProviderCapabilities,
  type ProviderDeleteOptions,
  type ProviderGetOptions,
  type ProviderHealth,
  type ProviderListQuery,
  type ProviderMutationOptions,
  type ProviderSetOptions,
  SCOPE_KINDS,
  type ScopeRef,
  type SecretAddress,
  type SecretMetadata,
  type SecretRef,
  type SecretVersionInfo,
  type SecretWrite,
  type ServiceBackedProvider,
  type StoredSecret,
} from "@coffer/core";
import { checkScope, toAuditRow } from "@coffer/provider-local/envelope";
import { type AuditKeys, PgAuditLog } from "./audit/pg-audit-log.js";
import { ChangeCounter } from "./db/change-counter.js";
import { migrate } from "./db/migrations.js";
import { PgDatabase } from "./db/pg-database.js";
import { PgDocumentStore } from "./documents/pg-document-store.js";
import { type MasterKeyParams, masterKeyWrapper, newMasterKeyParams } from "./keys/master-key-wrapper.js";
import { keyScopeOf, type ScopeKey, ScopeKeyring, SERVICE_KEY_SCOPE } from "./keys/scope-keyring.js";
import { type PostgresProviderOptions, type ResolvedPostgresOptions, resolvePostgresOptions } from "./options.js";
import { PgSecretTable } from "./secrets/pg-secret-table.js";

/**
 * What the PostgreSQL store can do: everything, in every scope. Not `remote`: every replica
 * reads the database on each request, so a write through one is read through any other at once
 * (a read cache would break that).
 */
export const POSTGRES_CAPABILITIES: ProviderCapabilities = Object.freeze({
  write: true,
  delete: true,
  softDelete: true,
  purge: true,
  list: true,
  versions: true,
  conditionalWrite: true,
  binary: true,
  metadata: true,
  envs: true,
  scopes: SCOPE_KINDS,
  remote: false,
});

/** The PostgreSQL store: a full provider that also keeps the service's documents and audit log. */
export interface PostgresProvider extends Provider, ServiceBackedProvider {
  /** Write a new version of one state. @throws CofferError CONFLICT, ALREADY_EXISTS, INVALID_ARGUMENT, TOO_LARGE, UNAVAILABLE */
  set(address: SecretAddress, write: SecretWrite, options?: ProviderSetOptions): Promise<SecretMetadata>;
  /** Soft-delete (or purge) every env state of a secret. @throws CofferError NOT_FOUND, UNAVAILABLE */
  delete(ref: SecretRef, options?: ProviderDeleteOptions): Promise<DeleteOutcome>;
  /** Bring back a soft-deleted secret with all its versions. @throws CofferError NOT_FOUND, CONFLICT, UNAVAILABLE */
  restore(ref: SecretRef, options?: ProviderMutationOptions): Promise<{ versionsRestored: number }>;
  /** Remove a secret irrecoverably. @throws CofferError NOT_FOUND, UNAVAILABLE */
  purge(ref: SecretRef, options?: ProviderMutationOptions): Promise<{ versionsDeleted: number }>;
  /** One page of current metadata, ordered by scope, name, env. @throws CofferError INVALID_ARGUMENT, UNAVAILABLE */
  list(query?: ProviderListQuery): Promise<Page<SecretMetadata>>;
  /** Version history of one state, newest first. @throws CofferError NOT_FOUND, UNAVAILABLE */
  history(address: SecretAddress): Promise<SecretVersionInfo[]>;
  /** Read many states in one statement; results align with `addresses`. @throws CofferError UNAVAILABLE */
  getMany(addresses: SecretAddress[]): Promise<GetManyResult[]>;
  /** Current version or `undefined` when missing or deleted. @throws CofferError UNAVAILABLE */
  lookup(address: SecretAddress): Promise<StoredSecret | undefined>;
  /** Connect, migrate and open the keys (done by the first operation anyway). @throws CofferError UNAVAILABLE, CONFIG, INTEGRITY */
  open(): Promise<void>;
  /** Run a trivial query. Never throws. */
  health(): Promise<ProviderHealth>;
  /** Close the pool and wipe keys from memory; later calls fail with UNAVAILABLE. */
  dispose(): Promise<void>;
  /** Audit log in the database, committed with the writes it describes. */
  readonly auditLog: PgAuditLog;
  /** Service documents (tokens, approvals, hooks) in the database, shared by every replica. */
  readonly documents: PgDocumentStore;
  /**
   * Re-key the data key of one scope (team, org and project scopes have their own; every other
   * scope shares one): a new key, every version of the scope re-encrypted under it in one
   * transaction, the old key gone. An audit entry, when given, commits with it.
   * @throws CofferError INVALID_ARGUMENT, INTEGRITY, UNAVAILABLE
   */
  rekeyScope(scope: ScopeRef, options?: { audit?: AuditEntryInput }): Promise<{ versions: number; generation: number }>;
  /**
   * A number that changes with every committed change to secrets, documents or keys, by any
   * replica: what a replica derived from the store stays valid while it is unchanged.
   * @throws CofferError UNAVAILABLE
   */
  changeCounter(): Promise<number>;
}

/** Meta keys in `store_meta`. */
const META = { storeId: "store_id", keyKind: "master_key_kind", keyParams: "master_key_params" } as const;

interface OpenStore {
  serviceKey: ScopeKey;
  auditKeys: AuditKeys;
}

class PostgresStoreProvider implements PostgresProvider {
  readonly name: string;
  readonly kind = "postgres";
  readonly capabilities = POSTGRES_CAPABILITIES;
  readonly auditLog: PgAuditLog;
  readonly documents: PgDocumentStore;
  readonly #options: ResolvedPostgresOptions;
  readonly #db: PgDatabase;
  readonly #secrets: PgSecretTable;
  #keyring: ScopeKeyring | undefined;
  #opening: Promise<OpenStore> | undefined;
  #opened: OpenStore | undefined;

  constructor(options: ResolvedPostgresOptions) {
    this.#options = options;
    this.name = options.name;
    this.#db = new PgDatabase(options);
    const keyring = () => {
      if (!this.#keyring) throw new CofferError("UNAVAILABLE", "the PostgreSQL store is not open");
      return this.#keyring;
    };
    this.auditLog = new PgAuditLog(
      this.#db,
      async () => (await this.#open()).auditKeys,
      () => this.#opened?.auditKeys,
    );
    const counter = new ChangeCounter(this.#db);
    this.documents = new PgDocumentStore(this.#db, async () => (await this.#open()).serviceKey, options.clock, counter);
    this.#secrets = new PgSecretTable(
      this.#db,
      keyring,
      async () => ({ auditKey: (await this.#open()).auditKeys.audit }),
      {
        providerName: options.name,
        historyLimit: options.historyLimit,
        recoveryWindowDays: options.recoveryWindowDays,
        clock: options.clock,
      },
      counter,
    );
  }

  /**
   * Connect, migrate (under an advisory lock), read or create the store's identity and master-key
   * parameters, and open the service key. A failure is not remembered: the next operation tries
   * again, so the provider recovers by itself when the database comes back.
   */
  #open(): Promise<OpenStore> {
    if (this.#opened) return Promise.resolve(this.#opened);
    this.#opening ??= this.#doOpen().then(
      (opened) => {
        this.#opened = opened;
        return opened;
      },
      (err: unknown) => {
        this.#opening = undefined;
        throw err;
      },
    );
    return this.#opening;
  }

  async #doOpen(): Promise<OpenStore> {
    await migrate(this.#db, this.#options.schema);
    const fresh = newMasterKeyParams();
    const kind = this.#options.masterKey.kind === "kms" ? "kms" : "local";
    await this.#db.query(
      `INSERT INTO store_meta (key, value) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT (key) DO NOTHING`,
      [META.storeId, randomUUID(), META.keyKind, kind, META.keyParams, JSON.stringify(fresh)],
    );
    const meta = new Map(
      (await this.#db.query<{ key: string; value: string }>("SELECT key, value FROM store_meta")).map((r) => [
        r.key,
        r.value,
      ]),
    );
    const storeId = meta.get(META.storeId) as string;
    if (meta.get(META.keyKind) !== kind) {
      throw new CofferError(
        "CONFIG",
        `the database at ${this.#db.target} is protected by a ${meta.get(META.keyKind) === "kms" ? "KMS" : "local (COFFER_MASTER_KEY / key file)"} master key, but this provider is configured with a ${kind === "kms" ? "KMS" : "local"} one`,
        { field: "masterKey" },
      );
    }
    const params = JSON.parse(meta.get(META.keyParams) as string) as MasterKeyParams;
    const keyring = new ScopeKeyring(masterKeyWrapper(this.#options.masterKey, params), storeId, this.#options.clock);
    const serviceKey = await keyring.key((sql, p) => this.#db.query(sql, p), SERVICE_KEY_SCOPE);
    this.#keyring = keyring;
    return {
      serviceKey,
      auditKeys: {
        audit: ScopeKeyring.subkey(serviceKey, "coffer-audit"),
        fingerprint: ScopeKeyring.subkey(serviceKey, "coffer-fingerprint"),
      },
    };
  }

  async open(): Promise<void> {
    await this.#open();
  }

  get(address: SecretAddress, options?: ProviderGetOptions): Promise<StoredSecret> {
    return this.#secrets.get(address, options);
  }

  lookup(address: SecretAddress): Promise<StoredSecret | undefined> {
    return this.#secrets.lookup(address);
  }

  getMany(addresses: SecretAddress[]): Promise<GetManyResult[]> {
    return this.#secrets.getMany(addresses);
  }

  set(address: SecretAddress, write: SecretWrite, options?: ProviderSetOptions): Promise<SecretMetadata> {
    return this.#secrets.set(address, write, options);
  }

  delete(ref: SecretRef, options?: ProviderDeleteOptions): Promise<DeleteOutcome> {
    return this.#secrets.delete(ref, options);
  }

  restore(ref: SecretRef, options?: ProviderMutationOptions): Promise<{ versionsRestored: number }> {
    return this.#secrets.restore(ref, options);
  }

  purge(ref: SecretRef, options?: ProviderMutationOptions): Promise<{ versionsDeleted: number }> {
    return this.#secrets.purge(ref, options);
  }

  list(query?: ProviderListQuery): Promise<Page<SecretMetadata>> {
    return this.#secrets.list(query);
  }

  history(address: SecretAddress): Promise<SecretVersionInfo[]> {
    return this.#secrets.history(address);
  }

  async rekeyScope(
    scope: ScopeRef,
    options: { audit?: AuditEntryInput } = {},
  ): Promise<{ versions: number; generation: number }> {
    const keyScope = keyScopeOf(checkScope(scope));
    return this.#secrets.rekey(keyScope, options.audit ? toAuditRow(options.audit) : undefined);
  }

  async changeCounter(): Promise<number> {
    await this.#open();
    const rows = await this.#db.query<{ changes: string }>("SELECT changes FROM store_state WHERE id = 1");
    return Number(rows[0]?.changes ?? 0);
  }

  async health(): Promise<ProviderHealth> {
    const started = performance.now();
    try {
      await this.#open();
      await this.#db.query("SELECT 1");
      return { ok: true, message: `PostgreSQL ${this.#db.target}`, latencyMs: performance.now() - started };
    } catch (err) {
      const message = err instanceof CofferError ? err.message : `PostgreSQL ${this.#db.target} is not usable`;
      return { ok: false, message, latencyMs: performance.now() - started };
    }
  }

  async dispose(): Promise<void> {
    this.#secrets.forgetKeptReads();
    this.#keyring?.forget();
    this.#opened?.auditKeys.audit.fill(0);
    this.#opened?.auditKeys.fingerprint.fill(0);
    this.#opened = undefined;
    await this.#db.close();
  }
}

/**
 * Coffer's team store on PostgreSQL. Construction does not connect: the first operation does
 * (and migrates the schema under an advisory lock). A database protected by another master key
 * fails with INTEGRITY before anything is read or written.
 * @throws CofferError CONFIG when an option is invalid
 */
export function postgres(options: PostgresProviderOptions = {}): PostgresProvider {
  return new PostgresStoreProvider(resolvePostgresOptions(options));
}
