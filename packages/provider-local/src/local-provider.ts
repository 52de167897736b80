import {
  type AuditEntryInput,
  type AuditLog,
  type BatchWrite,
  CofferError,
  type DeleteOutcome,
  type GetManyResult,
  type Page,
  type Provider,
  type ProviderBatchOptions,
  type ProviderCapabilities,
  type ProviderDeleteOptions,
  type ProviderGetOptions,
  type ProviderHealth,
  type ProviderListQuery,
  type ProviderMutationOptions,
  type ProviderSetOptions,
  SCOPE_KINDS,
  type SecretAddress,
  type SecretMetadata,
  type SecretRef,
  type SecretVersionInfo,
  type SecretWrite,
  type ServiceBackedProvider,
  type StoredSecret,
} from "@coffer/core";
import { LocalAuditLog } from "./audit/local-audit-log.js";
import { type LastKnownGoodCache, LocalLastKnownGoodCache } from "./cache/last-known-good-cache.js";
import { LocalDocumentStore } from "./documents/local-document-store.js";
import { readAnchor } from "./integrity/commitment-anchor.js";
import { type IntegrityReport, verifyStoreIntegrity } from "./integrity/verify-store-integrity.js";
import { type LocalProviderOptions, type ResolvedLocalOptions, resolveLocalOptions } from "./local-provider-options.js";
import { SecretTable } from "./secrets/secret-table.js";
import { rotateMasterKey } from "./store/master-key-rotation.js";
import { openStore } from "./store/open-store.js";
import type { StoreSession } from "./store/store-session.js";

/** What the local store can do: everything, in every scope, without a network. */
export const LOCAL_CAPABILITIES: ProviderCapabilities = Object.freeze({
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

/** The local store: a full provider that also keeps the service's documents and audit log. */
export interface LocalProvider extends Provider, ServiceBackedProvider {
  /** Write a new version of one state. @throws CofferError CONFLICT, ALREADY_EXISTS, INVALID_ARGUMENT, TOO_LARGE */
  set(address: SecretAddress, write: SecretWrite, options?: ProviderSetOptions): Promise<SecretMetadata>;
  /**
   * Write several states in one transaction, all or nothing, with their audit entries.
   * @throws CofferError as `set`, for the first write that fails (nothing is then written)
   */
  writeBatch(writes: BatchWrite[], options?: ProviderBatchOptions): Promise<SecretMetadata[]>;
  /** Soft-delete (or purge) every env state of a secret. @throws CofferError NOT_FOUND */
  delete(ref: SecretRef, options?: ProviderDeleteOptions): Promise<DeleteOutcome>;
  /** Bring back a soft-deleted secret with all its versions. @throws CofferError NOT_FOUND, CONFLICT */
  restore(ref: SecretRef, options?: ProviderMutationOptions): Promise<{ versionsRestored: number }>;
  /** Remove a secret irrecoverably. @throws CofferError NOT_FOUND */
  purge(ref: SecretRef, options?: ProviderMutationOptions): Promise<{ versionsDeleted: number }>;
  /** One page of current metadata, ordered by scope, name, env. @throws CofferError INVALID_ARGUMENT */
  list(query?: ProviderListQuery): Promise<Page<SecretMetadata>>;
  /** Version history of one state, newest first. @throws CofferError NOT_FOUND */
  history(address: SecretAddress): Promise<SecretVersionInfo[]>;
  /** Read many states in one snapshot; results align with `addresses`. */
  getMany(addresses: SecretAddress[]): Promise<GetManyResult[]>;
  /** Current version or `undefined` when missing or deleted (no error built). */
  lookup(address: SecretAddress): Promise<StoredSecret | undefined>;
  /** Open the store if needed and run a trivial query. Never throws. */
  health(): Promise<ProviderHealth>;
  /** Close the database and wipe keys from memory; later calls fail with UNAVAILABLE. */
  dispose(): Promise<void>;
  /** Audit log kept in the store, committed with the writes it describes. */
  readonly auditLog: AuditLog & Required<Pick<AuditLog, "prune">>;
  /** Absolute path of the store file. */
  readonly storePath: string;
  /** Encrypted last-known-good copies of values read from remote providers. */
  readonly cache: LastKnownGoodCache;
  /**
   * Rewrap the data key under a new master key (32 random bytes as hex/base64, or a passphrase).
   * Values are not re-encrypted; other open processes keep working; the old key stops opening the
   * store. With a key file, the file is replaced; with COFFER_MASTER_KEY, update it yourself.
   * @throws CofferError INVALID_ARGUMENT, CONFLICT
   */
  rotateMasterKey(newKey: string, options?: { audit?: AuditEntryInput }): Promise<void>;
  /**
   * Decrypt every stored version, document and cache entry and verify the audit chain.
   * Problems are described by name and position, never by value.
   */
  verifyIntegrity(): Promise<IntegrityReport>;
}

class LocalStoreProvider implements LocalProvider {
  readonly name: string;
  readonly kind = "local";
  readonly capabilities = LOCAL_CAPABILITIES;
  readonly storePath: string;
  readonly documents: LocalDocumentStore;
  readonly auditLog: LocalAuditLog;
  readonly cache: LocalLastKnownGoodCache;
  readonly #options: ResolvedLocalOptions;
  readonly #secrets: SecretTable;
  #session: StoreSession | undefined;
  #disposed = false;

  constructor(options: ResolvedLocalOptions) {
    this.#options = options;
    this.name = options.name;
    this.storePath = options.path;
    const session = () => this.#open();
    this.#secrets = new SecretTable(session, {
      providerName: options.name,
      historyLimit: options.historyLimit,
      recoveryWindowDays: options.recoveryWindowDays,
      clock: options.clock,
    });
    this.documents = new LocalDocumentStore(session, options.clock);
    this.auditLog = new LocalAuditLog(session);
    this.cache = new LocalLastKnownGoodCache(session, options.clock);
  }

  /** The open session, opening and unlocking the store on first use. */
  #open(): StoreSession {
    if (this.#session) return this.#session;
    if (this.#disposed) {
      throw new CofferError("UNAVAILABLE", `the local provider ${this.name} was disposed`, { provider: this.name });
    }
    this.#session = openStore(this.#options);
    return this.#session;
  }

  get(address: SecretAddress, options?: ProviderGetOptions): Promise<StoredSecret> {
    return this.#secrets.get(address, options);
  }

  set(address: SecretAddress, write: SecretWrite, options?: ProviderSetOptions): Promise<SecretMetadata> {
    return this.#secrets.set(address, write, options);
  }

  writeBatch(writes: BatchWrite[], options?: ProviderBatchOptions): Promise<SecretMetadata[]> {
    return this.#secrets.writeBatch(writes, options);
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

  lookup(address: SecretAddress): Promise<StoredSecret | undefined> {
    return this.#secrets.lookup(address);
  }

  getMany(addresses: SecretAddress[]): Promise<GetManyResult[]> {
    return this.#secrets.getMany(addresses);
  }

  async health(): Promise<ProviderHealth> {
    const started = performance.now();
    try {
      const session = this.#open();
      await session.read(() => session.statement("SELECT count(*) AS n FROM meta").get());
      return { ok: true, message: `store ${this.storePath}`, latencyMs: performance.now() - started };
    } catch (err) {
      const message = err instanceof CofferError ? err.message : `the store ${this.storePath} is not usable`;
      return { ok: false, message, latencyMs: performance.now() - started };
    }
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#secrets.forgetCachedReads();
    this.documents.forgetCachedReads();
    this.#session?.close();
    this.#session = undefined;
  }

  async rotateMasterKey(newKey: string, options?: { audit?: AuditEntryInput }): Promise<void> {
    await rotateMasterKey(this.#open(), this.#options.keyFile, newKey, options?.audit);
  }

  async verifyIntegrity(): Promise<IntegrityReport> {
    const session = this.#open();
    const anchor = readAnchor(session.anchorFile, session.storeId);
    return session.inspect(() => verifyStoreIntegrity(session, anchor));
  }
}

/**
 * Coffer's embedded encrypted store. Opening is lazy: the first operation creates or unlocks the
 * store, and a wrong master key fails it with INTEGRITY before anything is read or written.
 * @throws CofferError CONFIG when an option is invalid
 */
export function local(options: LocalProviderOptions = {}): LocalProvider {
  return new LocalStoreProvider(resolveLocalOptions(options));
}
