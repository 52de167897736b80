import { AUDIT_ACTIONS, ERROR_CODES, SCOPE_KINDS, SECRET_FORMATS } from "@coffer/core";

// Shared JSON Schemas, registered with `app.addSchema` and referenced as `{ $ref: "<Id>#" }`.
// @fastify/swagger turns them into `components.schemas` of the OpenAPI document. Response
// schemas also drive serialization: properties not listed here are never sent.

const str = { type: "string" } as const;
const strArray = { type: "array", items: str } as const;
const int = { type: "integer" } as const;
const bool = { type: "boolean" } as const;
const dateTime = { type: "string", format: "date-time" } as const;

/** `ScopeRef`. */
export const ScopeRefSchema = {
  $id: "ScopeRef",
  type: "object",
  description: "A resolved scope: its kind and, for every kind but global, the identifier.",
  properties: { kind: { type: "string", enum: [...SCOPE_KINDS] }, id: str },
} as const;

/** `DecayInfo`. */
export const DecaySchema = {
  $id: "Decay",
  type: "object",
  description: "Freshness of a secret.",
  properties: {
    state: { type: "string", enum: ["none", "fresh", "stale", "expired", "hard-expired"] },
    fractionUsed: { type: "number" },
    ttlExpiresAt: dateTime,
    expiresAt: dateTime,
    secondsRemaining: { type: "number" },
  },
} as const;

const attributes = {
  description: str,
  tags: strArray,
  ttlSeconds: int,
  expiresAt: dateTime,
  rotationFormat: { type: "string", enum: [...SECRET_FORMATS] },
  rotationPrefix: str,
  allowedAgentIds: strArray,
  writeOnly: bool,
} as const;

const viewProperties = {
  name: str,
  scope: { $ref: "ScopeRef#" },
  scopeLabel: str,
  env: str,
  version: int,
  encoding: { type: "string", enum: ["utf-8", "base64"] },
  createdAt: dateTime,
  updatedAt: dateTime,
  provider: str,
  decay: { $ref: "Decay#" },
  maskedValue: { type: "string", description: "Masked preview; `(write-only)` for write-only secrets." },
  deletedAt: dateTime,
  purgeAt: dateTime,
  ...attributes,
} as const;

/** `SecretView`: metadata of one secret state, never the value. */
export const SecretViewSchema = {
  $id: "SecretView",
  type: "object",
  description: "Metadata of one secret state with a masked value. Never the value.",
  properties: viewProperties,
} as const;

/** `ProviderOutcome`. */
export const ProviderOutcomeSchema = {
  $id: "ProviderOutcome",
  type: "object",
  properties: {
    provider: str,
    outcome: { type: "string", enum: ["hit", "miss", "error", "skipped"] },
    code: { type: "string", enum: [...ERROR_CODES] },
    message: str,
  },
} as const;

/** `SecretResult`: a read, with the value only when revealed. */
export const SecretResultSchema = {
  $id: "SecretResult",
  type: "object",
  description: "A secret read: metadata, masked value, provenance; `value` only with `reveal=true`.",
  properties: {
    ...viewProperties,
    value: { type: "string", description: "Plaintext value; present only when revealed." },
    provenance: {
      type: "object",
      properties: {
        provider: str,
        scope: { $ref: "ScopeRef#" },
        env: str,
        envSource: { type: "string", enum: ["argument", "COFFER_ENV", "config", "branch", "default"] },
        outcomes: { type: "array", items: { $ref: "ProviderOutcome#" } },
        cacheAgeMs: { type: "number" },
        staleWarning: str,
      },
    },
  },
} as const;

/** `ListItem`. */
export const ListItemSchema = {
  $id: "ListItem",
  type: "object",
  description: "One listed secret in a scope at a provider, with its env states.",
  properties: { ...viewProperties, envs: strArray, shadowed: bool },
} as const;

/** `HookReport`. */
export const HookReportSchema = {
  $id: "HookReport",
  type: "object",
  properties: { hook: str, ok: bool, message: str },
} as const;

/** `WriteResult`. */
export const WriteResultSchema = {
  $id: "WriteResult",
  type: "object",
  description: "What a write did. Never the value.",
  properties: {
    name: str,
    scope: { $ref: "ScopeRef#" },
    scopeLabel: str,
    env: str,
    version: int,
    provider: str,
    createdAt: dateTime,
    updatedAt: dateTime,
    entangled: strArray,
    hooks: { type: "array", items: { $ref: "HookReport#" } },
    alreadyExpired: {
      type: "boolean",
      description:
        "True when the written state's hard expiry is already past: the write stands (a warning, not a refusal), reads answer 422 EXPIRED unless allowExpired, and lists hide it unless includeExpired.",
    },
  },
} as const;

/** `SecretVersionInfo`. */
export const VersionInfoSchema = {
  $id: "VersionInfo",
  type: "object",
  properties: { version: int, versionId: str, createdAt: dateTime, current: bool, validUntil: dateTime, reason: str },
} as const;

/** `Inspection`: full metadata of a secret, never a value. */
export const InspectionSchema = {
  $id: "Inspection",
  type: "object",
  description: "Full metadata of a secret: every env state, versions, entanglement and access count. Never a value.",
  properties: {
    name: str,
    scope: { $ref: "ScopeRef#" },
    scopeLabel: str,
    provider: str,
    states: {
      type: "array",
      description: "Every state: the default state (no `env`) and one per env.",
      items: { $ref: "SecretView#" },
    },
    envInForce: {
      type: "string",
      description: "The env in force (query `env`, else the server's detected environment); absent: the default state.",
    },
    stateInForce: {
      type: "string",
      description: "The state a read would return now: an env name or `default`; absent when neither exists.",
    },
    versionsOf: { type: "string", description: "The state whose versions `versions` lists: an env name or `default`." },
    versions: {
      type: "array",
      description: "Versions of the state in force (else the first state found), newest first.",
      items: { $ref: "VersionInfo#" },
    },
    entangledWith: {
      type: "array",
      description: "Secrets written together with this one (`NAME`, or `NAME [scope]` outside global).",
      items: str,
    },
    accessCount: { type: "integer", description: "Audited reads, reveals and execs of this secret." },
    lastAccess: dateTime,
  },
} as const;

/** `AuditEntry`. */
export const AuditEntrySchema = {
  $id: "AuditEntry",
  type: "object",
  description: "One audit log entry. Never a value.",
  properties: {
    seq: int,
    time: dateTime,
    accessor: { type: "string", description: "OS user, agent id, or API token name." },
    frontEnd: { type: "string", enum: ["cli", "mcp", "rest", "library"] },
    action: { type: "string", enum: [...AUDIT_ACTIONS] },
    name: str,
    scope: str,
    env: str,
    provider: str,
    success: bool,
    errorCode: str,
    purpose: str,
    fingerprint: str,
    version: int,
    details: { type: "object", additionalProperties: true },
    prevHash: str,
    hash: str,
  },
} as const;

/** `ProviderStatus`. */
export const ProviderStatusSchema = {
  $id: "ProviderStatus",
  type: "object",
  properties: {
    name: str,
    kind: str,
    priority: int,
    ok: bool,
    message: str,
    latencyMs: { type: "number" },
    lastCheck: dateTime,
    isDefault: bool,
  },
} as const;

/** RFC 9457 problem document. */
export const ProblemSchema = {
  $id: "Problem",
  type: "object",
  description: "An RFC 9457 problem (media type application/problem+json) with a stable Coffer `code`.",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string", description: "urn:coffer:error:<code>" },
    title: str,
    status: int,
    detail: { type: "string", description: "What went wrong. Never a secret value." },
    code: { type: "string", enum: [...ERROR_CODES] },
    details: {
      type: "object",
      additionalProperties: true,
      description: "Value-free context: field, currentVersion, hint, rule...",
    },
  },
} as const;

/** Every shared schema, in registration order. */
export const SHARED_SCHEMAS = [
  ScopeRefSchema,
  DecaySchema,
  SecretViewSchema,
  ProviderOutcomeSchema,
  SecretResultSchema,
  ListItemSchema,
  HookReportSchema,
  WriteResultSchema,
  VersionInfoSchema,
  InspectionSchema,
  AuditEntrySchema,
  ProviderStatusSchema,
  ProblemSchema,
];
