// Shapes of the REST API's responses (docs/rest.md, /openapi.json). Never values, except the
// `value` of a revealed read.

/** A resolved scope: its kind and, for every kind but global, its identifier. */
export interface ScopeRef {
  /** `global`, `project`, `team`, `org`, `user`, `agent` or `plugin`. */
  kind: string;
  /** Identifier (project root, team id, ...); absent for global. */
  id?: string;
}

/** Freshness of a secret. */
export interface Decay {
  /** `none` (no TTL or expiry), `fresh`, `stale`, `expired` (TTL passed) or `hard-expired`. */
  state: "none" | "fresh" | "stale" | "expired" | "hard-expired";
  /** Fraction of the TTL used (0..1+). */
  fractionUsed?: number;
  /** When the TTL runs out. */
  ttlExpiresAt?: string;
  /** Hard expiry. */
  expiresAt?: string;
  /** Seconds until the nearest expiry (negative when past). */
  secondsRemaining?: number;
}

/** Metadata of one secret state with a masked value. */
export interface SecretView {
  /** Name. */
  name: string;
  /** Scope. */
  scope: ScopeRef;
  /** Scope label (`global`, `team:acme`). */
  scopeLabel: string;
  /** Env state; absent for the default state. */
  env?: string;
  /** Current version. */
  version: number;
  /** `utf-8` or `base64`. */
  encoding: string;
  /** Created. */
  createdAt: string;
  /** Updated. */
  updatedAt: string;
  /** Provider holding it. */
  provider: string;
  /** Freshness. */
  decay: Decay;
  /** Masked preview; `(write-only)` for write-only secrets. */
  maskedValue: string;
  /** Soft-deleted at. */
  deletedAt?: string;
  /** When a soft delete becomes permanent. */
  purgeAt?: string;
  /** Description. */
  description?: string;
  /** Tags. */
  tags?: string[];
  /** Soft decay window in seconds. */
  ttlSeconds?: number;
  /** Hard expiry. */
  expiresAt?: string;
  /** Generator used by rotate. */
  rotationFormat?: string;
  /** Prefix used by rotate. */
  rotationPrefix?: string;
  /** Agents allowed to read it. */
  allowedAgentIds?: string[];
  /** Can be written and injected, never revealed. */
  writeOnly?: boolean;
}

/** One listed secret in a scope at a provider. */
export interface ListItem extends SecretView {
  /** Env states (`default` for the default state). */
  envs: string[];
  /** A higher-priority provider holds the same name and scope. */
  shadowed: boolean;
}

/** What one provider did for a read or a listing. */
export interface ProviderOutcome {
  /** Provider. */
  provider: string;
  /** `hit`, `miss`, `error` or `skipped`. */
  outcome: string;
  /** Error code when it failed. */
  code?: string;
  /** Error message when it failed. */
  message?: string;
}

/** A page of the secrets list. */
export interface ListPage {
  /** Items. */
  items: ListItem[];
  /** Matching items across pages. */
  total: number;
  /** Cursor of the next page. */
  nextCursor?: string;
  /** Providers that could not list. */
  errors: ProviderOutcome[];
}

/** One version of a secret. */
export interface VersionInfo {
  /** Version number. */
  version: number;
  /** Created. */
  createdAt: string;
  /** The current version. */
  current: boolean;
  /** An old version stays readable until then. */
  validUntil?: string;
  /** Why it was written (`write`, `rotate`, `rollback`, ...). */
  reason?: string;
}

/** Full metadata of a secret. */
export interface Inspection {
  /** Name. */
  name: string;
  /** Scope. */
  scope: ScopeRef;
  /** Scope label. */
  scopeLabel: string;
  /** Provider. */
  provider: string;
  /** Every state: default and per env. */
  states: SecretView[];
  /** Versions of the default state, newest first. */
  versions: VersionInfo[];
  /** Entangled secrets (`NAME` or `NAME [scope]`). */
  entangledWith: string[];
  /** Audited reads, reveals and execs. */
  accessCount: number;
  /** Last access. */
  lastAccess?: string;
}

/** A read: metadata, masked value, and the value only when revealed. */
export interface SecretResult extends SecretView {
  /** The value (reveal only). */
  value?: string;
}

/** What a write did. */
export interface WriteResult {
  /** Name. */
  name: string;
  /** Scope. */
  scope: ScopeRef;
  /** Scope label. */
  scopeLabel: string;
  /** New version. */
  version: number;
  /** Provider written to. */
  provider: string;
  /** Entangled secrets written with it. */
  entangled: string[];
}

/** What a rotation did. */
export interface RotateResult {
  /** Name. */
  name: string;
  /** Previous version. */
  oldVersion: number;
  /** New version. */
  newVersion: number;
  /** The old version stays readable until then. */
  oldValidUntil?: string;
  /** Provider. */
  provider: string;
  /** The value was generated. */
  generated: boolean;
  /** Entangled secrets rotated with it. */
  entangled: string[];
}

/** What a delete did. */
export interface DeleteResult {
  /** Providers it was removed from. */
  removedFrom: string[];
  /** Versions removed. */
  versionsDeleted: number;
  /** Removed irrecoverably. */
  purged: boolean;
  /** Restorable until then. */
  purgeAt?: string;
}

/** What a restore did. */
export interface RestoreResult {
  /** Provider restored at. */
  provider: string;
  /** Versions restored. */
  versionsRestored: number;
}

/** One audit log entry. */
export interface AuditEntry {
  /** Sequence number. */
  seq: number;
  /** When. */
  time: string;
  /** OS user, agent id or token name. */
  accessor: string;
  /** `cli`, `mcp`, `rest` or `library`. */
  frontEnd: string;
  /** Action (`read`, `reveal`, `write`, ...). */
  action: string;
  /** Secret name. */
  name?: string;
  /** Scope label. */
  scope?: string;
  /** Env state. */
  env?: string;
  /** Provider. */
  provider?: string;
  /** Succeeded. */
  success: boolean;
  /** Error code of a failure. */
  errorCode?: string;
  /** Purpose of a reveal. */
  purpose?: string;
  /** Version concerned. */
  version?: number;
}

/** A page of audit entries. */
export interface AuditPage {
  /** Entries, newest first. */
  items: AuditEntry[];
  /** Cursor of older entries. */
  nextCursor?: string;
}

/** Result of verifying the audit hash chain. */
export interface AuditVerification {
  /** The chain is intact. */
  ok: boolean;
  /** Entries checked. */
  checked: number;
  /** First broken link. */
  brokenAt?: { seq: number; reason: string };
}

/** Health of one provider. */
export interface ProviderStatus {
  /** Name. */
  name: string;
  /** Kind (`local`, `env`, `aws`, `azure`). */
  kind: string;
  /** Priority: higher is read first. */
  priority: number;
  /** Healthy. */
  ok: boolean;
  /** Status text. */
  message?: string;
  /** Round trip in ms. */
  latencyMs?: number;
  /** When checked. */
  lastCheck: string;
  /** The default write target. */
  isDefault: boolean;
}

/** Health of every provider. */
export interface ProvidersReport {
  /** Every provider healthy. */
  ok: boolean;
  /** Read order. */
  chain: string[];
  /** Providers in read order. */
  providers: ProviderStatus[];
}

/** Enumerations the API documents in /openapi.json. */
export interface ApiVocabulary {
  /** Scope kinds. */
  scopeKinds: string[];
  /** Audit actions. */
  auditActions: string[];
  /** Generator formats for rotation. */
  secretFormats: string[];
}
