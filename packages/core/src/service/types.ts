import type { Accessor, AuditEntry, AuditQuery, AuditVerification } from "../audit/types.js";
import type { ErrorCode, ProviderOutcome } from "../errors/coffer-error.js";
import type { HookReport } from "../hooks/hook.js";
import type { ScopeKind, ScopeRef } from "../model/scope.js";
import type { SecretAttributes, SecretFormat, SecretVersionInfo, ValueEncoding } from "../model/secret.js";

/** Where a call addresses a secret. Omitting `scope` on a read cascades project -> team -> org -> global. */
export interface ScopeInput {
  /** Scope kind. Reads without it cascade; writes without it use `global`. */
  scope?: ScopeKind;
  /** Team id (required for `team`; enables the team step of the cascade). */
  teamId?: string;
  /** Org id (required for `org`; enables the org step of the cascade). */
  orgId?: string;
  /** Project directory for `project` scope. @default the service's cwd */
  projectPath?: string;
  /** Id for `agent`, `plugin` and `user` scopes (agent id, plugin name, OS user). */
  scopeId?: string;
}

/** How the env state of a read or write was decided. */
export type EnvSource = "argument" | "COFFER_ENV" | "config" | "branch" | "default";

/** Result of environment detection. */
export interface DetectedEnvironment {
  /** The env in force; `undefined` means the default state. */
  env?: string;
  /** Which source decided. */
  source: EnvSource;
  /** The git branch, when the branch map was consulted. */
  branch?: string;
  /** Human explanation, e.g. `COFFER_ENV=prod`. */
  reason: string;
}

/** Freshness of a secret. */
export interface DecayInfo {
  /** `none` (no TTL/expiry), `fresh`, `stale` (>= 75% of TTL), `expired` (TTL passed, still readable), `hard-expired` (past expiresAt). */
  state: "none" | "fresh" | "stale" | "expired" | "hard-expired";
  /** Fraction of the TTL used, 0..1+ (absent without TTL). */
  fractionUsed?: number;
  /** When the TTL runs out, ISO 8601. */
  ttlExpiresAt?: string;
  /** Hard expiry, ISO 8601. */
  expiresAt?: string;
  /** Seconds until the nearest expiry (negative when past). */
  secondsRemaining?: number;
}

/** Provenance of a resolved secret. */
export interface Provenance {
  /** Provider that answered. */
  provider: string;
  /** Scope it was found in. */
  scope: ScopeRef;
  /** Env state that answered (`undefined`: the default state). */
  env?: string;
  /** How the env was chosen. */
  envSource: EnvSource;
  /** Outcomes of the providers consulted (misses and skipped failures included). */
  outcomes: ProviderOutcome[];
  /** Age of a cached value in ms, when served from a cache. */
  cacheAgeMs?: number;
  /** Set when served from the last-known-good cache because the provider was unreachable. */
  staleWarning?: string;
}

/** Metadata view of a secret state, as every front end shows it. Never the value. */
export interface SecretView extends SecretAttributes {
  /** Name. */
  name: string;
  /** Scope. */
  scope: ScopeRef;
  /** Scope label (`global`, `project`, `team:acme`). */
  scopeLabel: string;
  /** Env state (`undefined`: default). */
  env?: string;
  /** Version. */
  version: number;
  /** Value encoding. */
  encoding: ValueEncoding;
  /** Created, ISO 8601. */
  createdAt: string;
  /** Updated, ISO 8601. */
  updatedAt: string;
  /** Provider holding it. */
  provider: string;
  /** Freshness. */
  decay: DecayInfo;
  /** Masked preview (`sk_live_****xyz`); `(write-only)` for write-only secrets. */
  maskedValue: string;
  /** Soft-deleted at, ISO 8601. */
  deletedAt?: string;
  /** Purge time of a soft-deleted secret. */
  purgeAt?: string;
}

/** A read result. `value` is present only when revealed. */
export interface SecretResult extends SecretView {
  /** The value; present only for `reveal: true` (or library `get`). */
  value?: string;
  /** Where it came from. */
  provenance: Provenance;
}

/** Options of `get`. */
export interface GetOptions extends ScopeInput {
  /** Env state to read. @default detected environment */
  env?: string;
  /** Version to read. @default current */
  version?: number;
  /** Read only from this provider. */
  provider?: string;
  /** Read a hard-expired secret anyway. @default false */
  allowExpired?: boolean;
  /**
   * Return the value. Requires a non-empty `purpose` for agents and tokens; refused for
   * write-only secrets and for agents not in `allowedAgentIds`.
   * @default false
   */
  reveal?: boolean;
  /** Why the value is needed; recorded in the audit log. */
  purpose?: string;
  /** Bypass provider caches. @default false */
  noCache?: boolean;
}

/** Options of `set`. */
export interface SetOptions extends ScopeInput, SecretAttributes {
  /** Write this env state instead of the default state. */
  env?: string;
  /** Provider to write to. @default the default provider */
  provider?: string;
  /** Value encoding. @default "utf-8" */
  encoding?: ValueEncoding;
  /** Fail with CONFLICT unless the current version equals this (0: must not exist). */
  ifVersion?: number;
  /** `create` fails with ALREADY_EXISTS if the state exists. @default "upsert" */
  mode?: "create" | "upsert";
  /** Allow an empty value (otherwise only allowed together with `env`). @default false */
  allowEmpty?: boolean;
  /** Keep attributes of the current version that this write does not set. @default true */
  mergeAttributes?: boolean;
  /**
   * The version this write replaces stops being readable at once (no old value stays readable,
   * as `vault_secret` promises). @default false: it stays readable like any older version
   */
  expirePrevious?: boolean;
}

/** What a write did. Never the value. */
export interface WriteResult {
  /** Name. */
  name: string;
  /** Scope written. */
  scope: ScopeRef;
  /** Scope label. */
  scopeLabel: string;
  /** Env state written. */
  env?: string;
  /** New version. */
  version: number;
  /** Provider written to. */
  provider: string;
  /** Created, ISO 8601. */
  createdAt: string;
  /** Updated, ISO 8601. */
  updatedAt: string;
  /** Entangled secrets updated along with it (names with scope labels). */
  entangled: string[];
  /**
   * Entangled secrets that could not be written (providers without an atomic batch write): the
   * secret itself was written; these still hold their previous value. Absent when none failed.
   */
  entangleFailures?: EntangleFailure[];
  /** After-hook outcomes. */
  hooks: HookReport[];
  /**
   * True when the write replaced a soft-deleted secret: it is live again, its deleted versions
   * stay in its history.
   */
  replacedDeleted?: boolean;
  /**
   * True when the written state's hard expiry (`expiresAt`) is already past. Coffer warns rather
   * than refuses (an expired credential can be recorded on purpose): the write stands, reads fail
   * with `EXPIRED` unless `allowExpired`, and default listings hide it (`includeExpired` shows it).
   */
  alreadyExpired?: boolean;
}

/** An entangled secret a write could not reach. */
export interface EntangleFailure {
  /** The linked secret (name with scope label). */
  secret: string;
  /** Error code of the failure. */
  code: ErrorCode;
  /** What went wrong (never a value). */
  message: string;
}

/** Options of `list`. */
export interface ListOptions {
  /** Name glob (`api-key-*`), at most `MAX_GLOB_LENGTH` (256) characters; longer is `INVALID_ARGUMENT`. */
  pattern?: string;
  /** Only this provider. */
  provider?: string;
  /** Only this scope kind. */
  scope?: ScopeKind;
  /** Secrets having all of these tags. */
  tags?: string[];
  /** Only secrets that have this env state. */
  env?: string;
  /** `true`: include every expired secret; `false`: hide TTL-expired and hard-expired; omitted: hide only hard-expired. */
  includeExpired?: boolean;
  /** Include soft-deleted secrets. @default false */
  includeDeleted?: boolean;
  /** Only stale or expired secrets. */
  staleOnly?: boolean;
  /** Page size. @default 100 */
  limit?: number;
  /** Opaque cursor. */
  cursor?: string;
}

/** One row of a listing: a secret in a scope at a provider, with its env states. */
export interface ListItem extends SecretView {
  /** Env states present besides the default (`default` listed when the default state exists). */
  envs: string[];
  /** True when a higher-priority provider holds the same name and scope (this one is not read). */
  shadowed: boolean;
}

/** A listing page. */
export interface ListResult {
  /** Items. */
  items: ListItem[];
  /**
   * Number of matching items across all pages: present on the last page (a listing is not counted
   * ahead, which would read every item).
   */
  total?: number;
  /** Next page cursor. */
  nextCursor?: string;
  /** Providers that failed to list (their errors), when not strict. */
  errors: ProviderOutcome[];
}

/** Full metadata of a secret. Never the value. */
export interface Inspection {
  /** Name. */
  name: string;
  /** Scope. */
  scope: ScopeRef;
  /** Scope label. */
  scopeLabel: string;
  /** Provider. */
  provider: string;
  /** Every state: default (env undefined) and per env. */
  states: SecretView[];
  /** The env in force (explicit, `COFFER_ENV`, project config or branch map); absent: the default state. */
  envInForce?: string;
  /** The state a read would return now: an env name or `default`; absent when neither exists. */
  stateInForce?: string;
  /** The state whose versions `versions` lists: an env name or `default`. */
  versionsOf: string;
  /** Versions of the state in force (else the first state found), newest first. */
  versions: SecretVersionInfo[];
  /** Entangled secrets. */
  entangledWith: string[];
  /** Number of audited reads/reveals/execs of this secret. */
  accessCount: number;
  /** Last access time, ISO 8601. */
  lastAccess?: string;
}

/** Options of `delete`. */
export interface DeleteOptions extends ScopeInput {
  /** Provider name, or `all`. @default all providers holding it */
  provider?: string;
  /** Remove irrecoverably. @default false */
  purge?: boolean;
}

/** What a delete did. */
export interface DeleteResult {
  /** Providers it was removed from. */
  removedFrom: string[];
  /** Versions removed. */
  versionsDeleted: number;
  /** True when purged. */
  purged: boolean;
  /** When recoverable deletes become permanent. */
  purgeAt?: string;
  /** After-hook outcomes. */
  hooks: HookReport[];
}

/** Options of `rotate`. */
export interface RotateOptions extends ScopeInput {
  /** New value; omitted: generate from the secret's rotation format (or `generate`). */
  value?: string;
  /** Format to generate with when no value is given. @default the secret's rotationFormat, else "token" */
  generate?: SecretFormat;
  /** Prefix to generate with. @default the secret's rotationPrefix */
  prefix?: string;
  /** Env state to rotate. */
  env?: string;
  /** Provider. @default where the secret is */
  provider?: string;
  /** Make the old version unreadable now. @default false */
  expireOld?: boolean;
  /** Seconds the old version stays readable. @default 30 days */
  graceSeconds?: number;
}

/** What a rotation did. Never the value. */
export interface RotateResult {
  /** Name. */
  name: string;
  /** Scope label. */
  scopeLabel: string;
  /** Previous version. */
  oldVersion: number;
  /** New version. */
  newVersion: number;
  /** Until when the old version stays readable (absent when expired now). */
  oldValidUntil?: string;
  /** Provider. */
  provider: string;
  /** Whether the value was generated. */
  generated: boolean;
  /** Entangled secrets updated. */
  entangled: string[];
  /**
   * Entangled secrets that could not be written (providers without an atomic batch write): the
   * secret itself was written; these still hold their previous value. Absent when none failed.
   */
  entangleFailures?: EntangleFailure[];
  /** After-hook outcomes. */
  hooks: HookReport[];
}

/** Options of `generate`. */
export interface GenerateOptions {
  /** Format. @default "token" */
  format?: SecretFormat;
  /** Length (characters, or bytes for token/hex). */
  length?: number;
  /** Prefix (api-key, token). */
  prefix?: string;
  /** Store the generated value under this name and do not return it. */
  saveAs?: string;
  /** Write options when saving. */
  save?: SetOptions;
}

/** Result of `generate`. */
export interface GenerateResult {
  /** The value, only when not saved. */
  value?: string;
  /** Format used. */
  format: SecretFormat;
  /** Entropy estimate in bits. */
  entropyBits: number;
  /** Length of the value. */
  length: number;
  /** Write result when saved. */
  saved?: WriteResult;
}

/** Options of `import`. */
export interface ImportOptions extends ScopeInput {
  /** Input format. @default detected */
  format?: "env" | "json" | "yaml";
  /** Only report what would change. @default false */
  dryRun?: boolean;
  /** Leave existing secrets untouched. @default false */
  skipExisting?: boolean;
  /** Target provider. */
  provider?: string;
  /** Env state to write. */
  env?: string;
  /** Tags added to every imported secret. */
  tags?: string[];
  /** Called after each item (progress bars). */
  onProgress?: (done: number, total: number) => void;
}

/** What an import did (or would do). */
export interface ImportReport {
  /** Dry run or real. */
  dryRun: boolean;
  /** Number created. */
  created: number;
  /** Number updated. */
  updated: number;
  /** Number skipped (existing with skipExisting). */
  skipped: number;
  /** Number unchanged (same value). */
  unchanged: number;
  /** Per item action. */
  items: Array<{ name: string; action: "create" | "update" | "skip" | "unchanged" }>;
  /** Warnings such as duplicate keys (never values). */
  warnings: string[];
}

/** Options of `export`. */
export interface ExportOptions {
  /** Name glob. */
  pattern?: string;
  /** Tags all required. */
  tags?: string[];
  /** Include values (needs the `export` permission). @default false */
  includeValues?: boolean;
  /** Scope kind filter. */
  scope?: ScopeKind;
  /** Provider filter. */
  provider?: string;
}

/** One exported secret. */
export interface ExportedSecret extends SecretAttributes {
  /** Name. */
  name: string;
  /** Scope label. */
  scope: string;
  /** Env state. */
  env?: string;
  /** Version. */
  version: number;
  /** Provider. */
  provider: string;
  /** Created. */
  createdAt: string;
  /** Updated. */
  updatedAt: string;
  /** Encoding. */
  encoding: ValueEncoding;
  /** Value, only with includeValues (write-only secrets never). */
  value?: string;
}

/** Health of one provider in the chain. */
export interface ProviderStatus {
  /** Instance name. */
  name: string;
  /** Kind. */
  kind: string;
  /** Priority (higher is read first). */
  priority: number;
  /** Healthy. */
  ok: boolean;
  /** Status text. */
  message?: string;
  /** Round trip, ms. */
  latencyMs?: number;
  /** When checked, ISO 8601. */
  lastCheck: string;
  /** True for the default write target. */
  isDefault: boolean;
}

/** Health of the whole service. */
export interface HealthReport {
  /** Every provider healthy. */
  ok: boolean;
  /** Providers in chain order. */
  providers: ProviderStatus[];
  /** Chain order, names. */
  chain: string[];
  /** Secrets past their TTL or hard expiry (metadata). */
  expired: Array<{ name: string; scope: string; env?: string; provider: string; state: DecayInfo["state"] }>;
  /** Secrets at >= 75% of their TTL. */
  stale: Array<{ name: string; scope: string; env?: string; provider: string; state: DecayInfo["state"] }>;
}

/** Options of `resolveForInjection` (run / exec). */
export interface InjectionOptions extends ScopeInput {
  /** Only these names. */
  only?: string[];
  /** Only secrets with these tags. */
  tags?: string[];
  /** Env state. */
  env?: string;
  /** Command being run (policy + audit). */
  command?: string;
  /**
   * Its arguments: the exec lists follow launchers through them (`env node -e ...` is checked as
   * `env` and `node`). Without them a launcher's target is not known to the lists.
   */
  args?: string[];
  /** Purpose (audit). */
  purpose?: string;
}

/** Secrets resolved for injection into a child process. */
export interface InjectionSet {
  /** Env var name -> value. */
  vars: Record<string, string>;
  /** What was injected (no values). */
  secrets: Array<{ name: string; envVar: string; provider: string; scope: string }>;
  /** Names that map to the same env var (left out). */
  collisions: Array<{ envVar: string; names: string[] }>;
  /** Names asked for with `only` that were not found or not allowed. */
  missing: string[];
  /**
   * Env var -> secret name, for the labels of masked output (`[REDACTED:NAME]`): only secrets
   * the caller may reveal are named; the others are masked as `[REDACTED]`, and a value equal to
   * one of the caller's own secrets is labelled as that one. Pass it as `names` to `execWithSecrets`.
   */
  maskNames: Record<string, string>;
}

/** Summary of the audit log. */
export interface AuditSummary {
  /** Entries considered. */
  total: number;
  /** Failed attempts. */
  failed: number;
  /** Most frequent accessor. */
  topAccessor?: { accessor: string; count: number };
  /** Last rotation time. */
  lastRotation?: string;
}

/** Options of the expiry agent's scan. */
export interface ScanOptions {
  /** Regenerate expired secrets that have a rotationFormat. @default false */
  autoRotate?: boolean;
}

/** What the expiry agent found and did. */
export interface ScanReport {
  /** Secrets examined. */
  checked: number;
  /** At >= 75% of their TTL. */
  stale: Array<{ name: string; scope: string; provider: string; state: DecayInfo["state"] }>;
  /** Past their TTL or hard expiry (an `expire` hook fired for each). */
  expired: Array<{ name: string; scope: string; provider: string; state: DecayInfo["state"] }>;
  /** Stale secrets with a rotation format: due for rotation. */
  rotationDue: Array<{ name: string; scope: string; provider: string; state: DecayInfo["state"] }>;
  /** Rotations done with autoRotate. */
  rotated: Array<{ name: string; scope: string; oldVersion: number; newVersion: number }>;
  /** After-hook outcomes of the expire events. */
  hooks: HookReport[];
  /** Failures (never values). */
  errors: Array<{ name: string; code: string; message: string }>;
}

/** The service every front end calls. */
export interface Coffer {
  /** Identity of calls made through this handle. */
  readonly accessor: Accessor;
  /** A handle to the same service acting as another accessor. */
  withAccessor(accessor: Accessor): Coffer;
  /** Read a secret (masked unless `reveal`). @throws CofferError NOT_FOUND, EXPIRED, PERMISSION_DENIED */
  get(name: string, options?: GetOptions): Promise<SecretResult>;
  /** True when the secret exists and is not expired (TTL or hard). */
  has(name: string, options?: GetOptions): Promise<boolean>;
  /** Create or update a secret. @throws CofferError INVALID_ARGUMENT, CONFLICT, ALREADY_EXISTS, TOO_LARGE */
  set(name: string, value: string, options?: SetOptions): Promise<WriteResult>;
  /** Full metadata. */
  inspect(name: string, options?: ScopeInput & { provider?: string; env?: string }): Promise<Inspection>;
  /** List metadata across providers. */
  list(options?: ListOptions): Promise<ListResult>;
  /** Delete (recoverable unless purge). */
  delete(name: string, options?: DeleteOptions): Promise<DeleteResult>;
  /** Restore a deleted secret. */
  restore(
    name: string,
    options?: ScopeInput & { provider?: string },
  ): Promise<{ provider: string; versionsRestored: number }>;
  /** Purge a secret irrecoverably. */
  purge(name: string, options?: ScopeInput & { provider?: string }): Promise<DeleteResult>;
  /** Rotate to a new (given or generated) value. */
  rotate(name: string, options?: RotateOptions): Promise<RotateResult>;
  /** Version history. */
  history(name: string, options?: ScopeInput & { env?: string; provider?: string }): Promise<SecretVersionInfo[]>;
  /** Write version `to` again as a new version. */
  rollback(name: string, to: number, options?: ScopeInput & { env?: string; provider?: string }): Promise<WriteResult>;
  /** Generate a value (and optionally save it without returning it). */
  generate(options?: GenerateOptions): Promise<GenerateResult>;
  /** Import .env / JSON / YAML text. */
  import(text: string, options?: ImportOptions): Promise<ImportReport>;
  /** Export metadata (values only when asked and allowed). */
  export(options?: ExportOptions): Promise<ExportedSecret[]>;
  /** Link two secrets so writing one writes the other. @throws CofferError CONFLICT on a cycle */
  entangle(a: string, b: string, options?: { a?: ScopeInput; b?: ScopeInput }): Promise<{ group: string[] }>;
  /** Remove a link. */
  disentangle(a: string, b: string, options?: { a?: ScopeInput; b?: ScopeInput }): Promise<{ removed: boolean }>;
  /** Which env is in force and why. */
  detectEnvironment(explicit?: string): Promise<DetectedEnvironment>;
  /** Provider health and expired/stale secrets. */
  health(): Promise<HealthReport>;
  /** Resolve secrets for a child process (write-only included; audited as exec). */
  resolveForInjection(options?: InjectionOptions): Promise<InjectionSet>;
  /** Query the audit log. */
  audit(query?: AuditQuery): Promise<AuditEntry[]>;
  /** Summarize audit entries. */
  auditSummary(query?: AuditQuery): Promise<AuditSummary>;
  /** Verify the audit chain. */
  verifyAudit(): Promise<AuditVerification>;
  /** Expiry agent: find stale/expired secrets, fire `expire` hooks, optionally auto-rotate. */
  scan(options?: ScanOptions): Promise<ScanReport>;
  /** Providers in chain order with priorities. */
  providers(): Array<{ name: string; kind: string; priority: number; isDefault: boolean }>;
  /** Close every provider. */
  dispose(): Promise<void>;
}
