import type { ScopeRef } from "./scope.js";

/** How a value is carried: UTF-8 text, or bytes encoded as base64 on the wire. */
export type ValueEncoding = "utf-8" | "base64";

/** Largest value Coffer stores, in bytes (after base64 decoding). */
export const MAX_VALUE_BYTES = 64 * 1024;
/** Largest description, in UTF-8 bytes. */
export const MAX_DESCRIPTION_BYTES = 1024;

/** Generator formats understood by `generate` and by rotation hints. */
export const SECRET_FORMATS = ["api-key", "token", "password", "hex", "uuid", "alphanumeric"] as const;
/** One generator format. */
export type SecretFormat = (typeof SECRET_FORMATS)[number];

/**
 * Where one stored value lives: a secret name in a scope, and the env state (absent for the
 * default state). Providers key their storage on this triple.
 */
export interface SecretAddress {
  /** Secret name, already validated. */
  name: string;
  /** Resolved scope. */
  scope: ScopeRef;
  /** Env state; `undefined` is the default state. */
  env?: string;
}

/** Metadata a caller may set on a write. Everything is optional. */
export interface SecretAttributes {
  /** Free text, at most 1024 UTF-8 bytes. */
  description?: string;
  /** Labels for filtering and hook matching. */
  tags?: string[];
  /** Soft decay window in seconds: stale at 75%, expired (still readable) after. */
  ttlSeconds?: number;
  /** Hard expiry (ISO 8601); reads fail with EXPIRED after it unless `allowExpired`. */
  expiresAt?: string;
  /** Generator format used when rotating without a value. */
  rotationFormat?: SecretFormat;
  /** Literal prefix used with `api-key`/`token` rotation formats. */
  rotationPrefix?: string;
  /** If set, only these agent ids may read the secret. */
  allowedAgentIds?: string[];
  /** If true the value can be written and injected, never read back. */
  writeOnly?: boolean;
}

/** Stored metadata of one version of one secret state (never the value). */
export interface SecretMetadata extends SecretAttributes {
  /** Secret name. */
  name: string;
  /** Scope it lives in. */
  scope: ScopeRef;
  /** Env state; `undefined` for the default state. */
  env?: string;
  /** Version number, 1-based, strictly increasing per state. */
  version: number;
  /** Provider-native version id when it differs from the number (AWS VersionId, Azure version). */
  versionId?: string;
  /** Value encoding. */
  encoding: ValueEncoding;
  /** When the secret (state) was first created, ISO 8601. */
  createdAt: string;
  /** When this version was written, ISO 8601. */
  updatedAt: string;
  /** Set when the secret is soft-deleted: when it was deleted, ISO 8601. */
  deletedAt?: string;
  /** When a soft-deleted secret will be purged, ISO 8601. */
  purgeAt?: string;
  /**
   * Only on the metadata a write returns: the state written had been soft-deleted, and the write
   * started it live again (its deleted versions stay in its history; other deleted states of the
   * secret stay deleted).
   */
  replacedDeleted?: boolean;
  /** Provider instance that holds it (set by the provider). */
  provider: string;
}

/** A stored version with its value. */
export interface StoredSecret extends SecretMetadata {
  /** The value, as text (`utf-8`) or base64 (`base64`). */
  value: string;
  /**
   * Set by a remote provider when it answered from its in-memory read cache: how old that
   * cached read is, in milliseconds. Absent when the value was fetched from the service now.
   * The chain reports it as `provenance.cacheAgeMs`.
   */
  cachedAgeMs?: number;
}

/** One entry of a secret's version history (metadata only). */
export interface SecretVersionInfo {
  /** Version number. */
  version: number;
  /** Provider-native version id, when different. */
  versionId?: string;
  /** When the version was written, ISO 8601. */
  createdAt: string;
  /** True for the current version. */
  current: boolean;
  /** When this (non-current) version stops being readable, ISO 8601, if limited. */
  validUntil?: string;
  /** Why the version was written: `write`, `rotate`, `rollback`, `import`, `entangle`. */
  reason?: string;
}

/** The value written to a provider. */
export interface SecretWrite extends SecretAttributes {
  /** The value, as text or base64 per `encoding`. */
  value: string;
  /** Value encoding. @default "utf-8" */
  encoding?: ValueEncoding;
  /** Why this version is written (kept in history). @default "write" */
  reason?: string;
  /** For rotation: how long the previous version stays readable, in seconds; 0 expires it now. */
  previousValidForSeconds?: number;
}
