import {
  CofferError,
  parseScopeKey,
  quoteName,
  SCOPE_KINDS,
  type ScopeRef,
  SECRET_FORMATS,
  type SecretAttributes,
  type SecretFormat,
  scopeKey,
} from "@coffer/core";

/**
 * Coffer metadata kept in Azure Key Vault tags (Azure allows at most 15 tags per secret version,
 * values of at most 256 characters):
 *
 * | tag | holds |
 * | --- | --- |
 * | `coffer-name` | the Coffer name, case and all |
 * | `coffer-scope` | the scope key (`global`, `project:/abs/path`, `team:acme`) |
 * | `coffer-env` | the env state (absent for the default state) |
 * | `coffer-version` | the Coffer version number of this Azure version |
 * | `coffer-created` | when the secret was first created (versions after the first) |
 * | `coffer-valid-until` | set on a superseded version whose rotation grace ends |
 * | `coffer-description`, `coffer-description-2`.. | the description, in 256-character chunks |
 * | `coffer-meta`, `coffer-meta-2`.. | compact JSON of tags, ttl, rotation hints, agent allowlist, write-only, reason |
 */

/** Largest number of tags Azure Key Vault keeps on one secret version. */
export const AZURE_MAX_TAGS = 15;
/** Longest Azure tag value, in characters. */
export const AZURE_MAX_TAG_VALUE = 256;

/** Tag names Coffer writes. */
export const TAG = {
  name: "coffer-name",
  scope: "coffer-scope",
  env: "coffer-env",
  version: "coffer-version",
  created: "coffer-created",
  validUntil: "coffer-valid-until",
  description: "coffer-description",
  meta: "coffer-meta",
} as const;

/** Tags Coffer reserves so a later rotation can still mark this version (`coffer-valid-until`). */
const RESERVED_SLOTS = 1;

/** The Coffer facts one Azure secret version carries. */
export interface CofferTagContent {
  /** Coffer name. */
  name: string;
  /** Scope. */
  scope: ScopeRef;
  /** Env state. */
  env?: string;
  /** Coffer version number. */
  version: number;
  /** When the secret was first created (ISO 8601), for versions after the first. */
  createdAt?: string;
  /** Caller-settable attributes (expiresAt is an Azure attribute, not a tag). */
  attributes: Omit<SecretAttributes, "expiresAt">;
  /** Why the version was written. */
  reason?: string;
}

/** What Coffer reads back from tags; every field is optional because other tools write tags too. */
export interface ParsedCofferTags {
  /** Coffer name, when tagged. */
  name?: string;
  /** Scope, when tagged. */
  scope?: ScopeRef;
  /** Env state, when tagged. */
  env?: string;
  /** Coffer version number, when tagged with a positive integer. */
  version?: number;
  /** First creation time, when tagged. */
  createdAt?: string;
  /** End of a superseded version's grace, when tagged. */
  validUntil?: string;
  /** Attributes. */
  attributes: Omit<SecretAttributes, "expiresAt">;
  /** Why the version was written. */
  reason?: string;
}

interface PackedMeta {
  t?: string[];
  ttl?: number;
  rf?: string;
  rp?: string;
  ag?: string[];
  wo?: 1;
  r?: string;
}

/** Split text into chunks of at most `size` UTF-16 units without splitting a surrogate pair. */
function chunk(text: string, size: number): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const ch of text) {
    if (current.length + ch.length > size) {
      chunks.push(current);
      current = "";
    }
    current += ch;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}

function chunkTagName(base: string, index: number): string {
  return index === 0 ? base : `${base}-${index + 1}`;
}

function joinChunks(tags: Record<string, string>, base: string): string | undefined {
  if (tags[base] === undefined) return undefined;
  let text = "";
  for (let i = 0; tags[chunkTagName(base, i)] !== undefined; i++) text += tags[chunkTagName(base, i)];
  return text;
}

/**
 * Build the Azure tags of a new version.
 * @throws CofferError INVALID_ARGUMENT when the metadata does not fit Azure's tag limits (the
 * message says which part is too large)
 */
export function packCofferTags(content: CofferTagContent): Record<string, string> {
  const key = scopeKey(content.scope);
  if (key.length > AZURE_MAX_TAG_VALUE) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `the scope of secret ${quoteName(content.name)} is too long for Azure Key Vault (its key has ${key.length} characters, at most ${AZURE_MAX_TAG_VALUE})`,
      { field: "scope", name: content.name },
    );
  }
  const tags: Record<string, string> = {
    [TAG.name]: content.name,
    [TAG.scope]: key,
    [TAG.version]: String(content.version),
  };
  if (content.env !== undefined) tags[TAG.env] = content.env;
  if (content.createdAt !== undefined) tags[TAG.created] = content.createdAt;
  const { attributes } = content;
  if (attributes.description !== undefined && attributes.description !== "") {
    chunk(attributes.description, AZURE_MAX_TAG_VALUE).forEach((part, i) => {
      tags[chunkTagName(TAG.description, i)] = part;
    });
  }
  const meta: PackedMeta = {};
  if (attributes.tags !== undefined && attributes.tags.length > 0) meta.t = [...attributes.tags];
  if (attributes.ttlSeconds !== undefined) meta.ttl = attributes.ttlSeconds;
  if (attributes.rotationFormat !== undefined) meta.rf = attributes.rotationFormat;
  if (attributes.rotationPrefix !== undefined) meta.rp = attributes.rotationPrefix;
  if (attributes.allowedAgentIds !== undefined) meta.ag = [...attributes.allowedAgentIds];
  if (attributes.writeOnly === true) meta.wo = 1;
  if (content.reason !== undefined && content.reason !== "write") meta.r = content.reason;
  if (Object.keys(meta).length > 0) {
    chunk(JSON.stringify(meta), AZURE_MAX_TAG_VALUE).forEach((part, i) => {
      tags[chunkTagName(TAG.meta, i)] = part;
    });
  }
  const count = Object.keys(tags).length;
  if (count > AZURE_MAX_TAGS - RESERVED_SLOTS) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `the metadata of secret ${quoteName(content.name)} is too large for Azure Key Vault tags: it needs ${count} tags of ${AZURE_MAX_TAG_VALUE} characters, at most ${AZURE_MAX_TAGS - RESERVED_SLOTS} are available (shorten the description, tags or agent list)`,
      { field: "metadata", name: content.name },
    );
  }
  return tags;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Read Coffer's tags back. Malformed or foreign tags are ignored, never fatal. */
export function parseCofferTags(tags: Record<string, string> | undefined): ParsedCofferTags {
  const parsed: ParsedCofferTags = { attributes: {} };
  if (tags === undefined) return parsed;
  if (typeof tags[TAG.name] === "string") parsed.name = tags[TAG.name];
  if (typeof tags[TAG.scope] === "string") {
    const scope = parseScopeKey(tags[TAG.scope]!);
    if ((SCOPE_KINDS as readonly string[]).includes(scope.kind)) {
      parsed.scope = scope.kind === "global" ? { kind: "global" } : scope;
    }
  }
  if (typeof tags[TAG.env] === "string") parsed.env = tags[TAG.env];
  const version = Number(tags[TAG.version]);
  if (Number.isSafeInteger(version) && version >= 1 && String(version) === tags[TAG.version]) parsed.version = version;
  if (tags[TAG.created] !== undefined && !Number.isNaN(Date.parse(tags[TAG.created]!)))
    parsed.createdAt = tags[TAG.created];
  if (tags[TAG.validUntil] !== undefined && !Number.isNaN(Date.parse(tags[TAG.validUntil]!))) {
    parsed.validUntil = tags[TAG.validUntil];
  }
  const description = joinChunks(tags, TAG.description);
  if (description !== undefined) parsed.attributes.description = description;
  const metaText = joinChunks(tags, TAG.meta);
  if (metaText !== undefined) {
    let meta: PackedMeta | undefined;
    try {
      meta = JSON.parse(metaText) as PackedMeta;
    } catch {
      meta = undefined;
    }
    if (meta !== null && typeof meta === "object") {
      const { attributes } = parsed;
      if (isStringArray(meta.t)) attributes.tags = meta.t;
      if (typeof meta.ttl === "number" && Number.isFinite(meta.ttl)) attributes.ttlSeconds = meta.ttl;
      if (typeof meta.rf === "string" && (SECRET_FORMATS as readonly string[]).includes(meta.rf)) {
        attributes.rotationFormat = meta.rf as SecretFormat;
      }
      if (typeof meta.rp === "string") attributes.rotationPrefix = meta.rp;
      if (isStringArray(meta.ag)) attributes.allowedAgentIds = meta.ag;
      if (meta.wo === 1) attributes.writeOnly = true;
      if (typeof meta.r === "string") parsed.reason = meta.r;
    }
  }
  return parsed;
}

/** True when the tags carry a Coffer identity (the version was written by Coffer). */
export function hasCofferIdentity(parsed: ParsedCofferTags): boolean {
  return parsed.name !== undefined && parsed.scope !== undefined;
}
