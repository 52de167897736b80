import type { AuditEntryInput } from "../audit/types.js";
import type { CofferError } from "../errors/index.js";
import type { ScopeKind, ScopeRef } from "../model/scope.js";
import type { SecretAddress, SecretMetadata, SecretVersionInfo, SecretWrite, StoredSecret } from "../model/secret.js";

/**
 * What a provider can do. Core checks these before calling an optional method and reports a
 * typed `UNSUPPORTED` error instead of crashing.
 */
export interface ProviderCapabilities {
  /** `set` is available. */
  write: boolean;
  /** `delete` is available. */
  delete: boolean;
  /** Deletes are recoverable (`restore` is available). */
  softDelete: boolean;
  /** `purge` is available. */
  purge: boolean;
  /** `list` is available. */
  list: boolean;
  /** Past versions are kept and readable by number; `history` is available. */
  versions: boolean;
  /** Writes honour `ifVersion` / `mode: "create"` atomically. */
  conditionalWrite: boolean;
  /** Base64 (binary) values are stored as bytes. */
  binary: boolean;
  /** Description, tags and other attributes round-trip. */
  metadata: boolean;
  /** Per-env states are supported. */
  envs: boolean;
  /** Scope kinds the provider can hold (`global` at least). */
  scopes: readonly ScopeKind[];
  /** Provider talks to a remote service (caching, retries, last-known-good apply). */
  remote: boolean;
}

/** Options of a provider `get`. */
export interface ProviderGetOptions {
  /** Read this version instead of the current one. */
  version?: number;
  /**
   * Ask the source, not an in-memory read cache; the fresh answer then replaces the cached one.
   * @default false
   */
  noCache?: boolean;
}

/** Options of a provider `set`. */
export interface ProviderSetOptions {
  /** Fail with CONFLICT unless the current version equals this (0: the state must not exist). */
  ifVersion?: number;
  /** `create` fails with ALREADY_EXISTS when the state exists. @default "upsert" */
  mode?: "create" | "upsert";
  /**
   * Audit entry describing this write. A provider that keeps the audit log (the local store)
   * appends it in the same transaction, so neither happens without the other; others ignore it.
   */
  audit?: AuditEntryInput;
}

/** One write of a {@link Provider.writeBatch}. */
export interface BatchWrite {
  /** The state written. */
  address: SecretAddress;
  /** The new version. */
  write: SecretWrite;
  /** Conditions and the audit entry of this write (as for `set`). */
  options?: ProviderSetOptions;
}

/** Options of a provider `writeBatch`. */
export interface ProviderBatchOptions {
  /**
   * Audit entries committed with the batch besides each write's own (for example a link broken
   * by the change); see {@link ProviderSetOptions.audit}.
   */
  audit?: AuditEntryInput[];
}

/** Identifies a whole secret (every env state) for delete/restore/purge. */
export interface SecretRef {
  /** Secret name. */
  name: string;
  /** Scope it lives in. */
  scope: ScopeRef;
}

/** Options of a provider `delete`. */
export interface ProviderDeleteOptions {
  /** Remove every version irrecoverably. @default false */
  purge?: boolean;
  /** Days a soft-deleted secret stays recoverable. @default 7 */
  recoveryWindowDays?: number;
  /** Audit entry committed with the delete (see {@link ProviderSetOptions.audit}). */
  audit?: AuditEntryInput;
}

/** Options of `restore` and `purge`. */
export interface ProviderMutationOptions {
  /** Audit entry committed with the change (see {@link ProviderSetOptions.audit}). */
  audit?: AuditEntryInput;
}

/** What a delete removed. */
export interface DeleteOutcome {
  /** Number of versions (across env states) removed or scheduled. */
  versionsDeleted: number;
  /** True when purged, false when recoverable. */
  purged: boolean;
  /** When a recoverable delete becomes permanent, ISO 8601. */
  purgeAt?: string;
}

/** Filter and paging of a provider `list`. */
export interface ProviderListQuery {
  /** Only this scope. */
  scope?: ScopeRef;
  /** Only names starting with this prefix. */
  prefix?: string;
  /** Include soft-deleted secrets. @default false */
  includeDeleted?: boolean;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /**
   * Only states after this scope and name in list order (every env state of it skipped): a keyset
   * start. A provider may ignore it; callers skip what they already saw.
   */
  after?: ListPosition;
  /** Page size. @default 100 */
  limit?: number;
}

/** A place in list order: a secret name within a scope (all its env states). */
export interface ListPosition {
  /** The scope. */
  scope: ScopeRef;
  /** The name. */
  name: string;
}

/** One page of a listing. */
export interface Page<T> {
  /** Items of this page. */
  items: T[];
  /** Cursor of the next page; absent on the last page. */
  nextCursor?: string;
}

/** Result of a provider health check. */
export interface ProviderHealth {
  /** True when the provider answered correctly. */
  ok: boolean;
  /** Short human status (never a secret). */
  message?: string;
  /** Round trip in milliseconds, when measured. */
  latencyMs?: number;
}

/** One result of `getMany`: the secret or the error for that address. */
export type GetManyResult = { ok: true; secret: StoredSecret } | { ok: false; error: CofferError };

/**
 * A storage backend. `name`, `capabilities` and `get` are required; every other method is
 * optional and its absence means "unsupported".
 *
 * Contract: a missing secret is `CofferError("NOT_FOUND")`; any other failure has another code.
 * Values never appear in error messages.
 */
export interface Provider {
  /** Instance name shown in provenance, for example `local` or `aws-secrets-manager`. */
  readonly name: string;
  /** Provider kind, for example `local`, `env`, `aws-secrets-manager`, `azure-keyvault`. */
  readonly kind: string;
  /** What this provider can do. */
  readonly capabilities: ProviderCapabilities;
  /**
   * Read the current (or a given) version of one state.
   * @throws CofferError NOT_FOUND when missing or deleted; EXPIRED for a past version whose grace ended.
   */
  get(address: SecretAddress, options?: ProviderGetOptions): Promise<StoredSecret>;
  /**
   * Optional fast path of `get` for the current version: `undefined` when missing or deleted,
   * instead of a NOT_FOUND error. The chain prefers it when present.
   */
  lookup?(address: SecretAddress): Promise<StoredSecret | undefined>;
  /**
   * Write a new version of one state. A soft-deleted state counts as absent (`mode: "create"`
   * and `ifVersion: 0` accept it): the write starts it live again, its deleted versions stay in
   * its history, and the returned metadata has `replacedDeleted: true`.
   * @throws CofferError CONFLICT on an `ifVersion` mismatch; ALREADY_EXISTS in create mode.
   */
  set?(address: SecretAddress, write: SecretWrite, options?: ProviderSetOptions): Promise<SecretMetadata>;
  /**
   * Write several states all or nothing: either every write (and every audit entry) is
   * committed, or none is and the first failure is thrown. Results align with `writes`.
   * Optional: without it the service writes one by one and reports failures per secret.
   * @throws CofferError as `set` for the first write that fails
   */
  writeBatch?(writes: BatchWrite[], options?: ProviderBatchOptions): Promise<SecretMetadata[]>;
  /**
   * Delete every live state of a secret (recoverable unless `purge`; `purge` also removes
   * states already deleted). @throws CofferError NOT_FOUND when no live state exists (with `purge`: no state at all)
   */
  delete?(ref: SecretRef, options?: ProviderDeleteOptions): Promise<DeleteOutcome>;
  /** Bring back a soft-deleted secret with all its versions. @throws CofferError NOT_FOUND */
  restore?(ref: SecretRef, options?: ProviderMutationOptions): Promise<{ versionsRestored: number }>;
  /** Remove a secret (deleted or not) irrecoverably. @throws CofferError NOT_FOUND */
  purge?(ref: SecretRef, options?: ProviderMutationOptions): Promise<{ versionsDeleted: number }>;
  /** List current metadata, one item per state, ordered by scope, name, env. */
  list?(query?: ProviderListQuery): Promise<Page<SecretMetadata>>;
  /** Version history of one state, newest first. @throws CofferError NOT_FOUND */
  history?(address: SecretAddress): Promise<SecretVersionInfo[]>;
  /** Read many states in as few round trips as possible; results align with `addresses`. */
  getMany?(addresses: SecretAddress[]): Promise<GetManyResult[]>;
  /** Check the provider is reachable and usable. */
  health?(): Promise<ProviderHealth>;
  /** Release connections and handles. */
  dispose?(): Promise<void>;
}
