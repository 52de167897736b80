import {
  CofferError,
  MAX_DESCRIPTION_BYTES,
  SECRET_FORMATS,
  type SecretAddress,
  type SecretAttributes,
  type SecretFormat,
  scopeKey,
  type ValueEncoding,
} from "@coffer/core";
import { chunkTag, decodeTagList, decodeTagText, encodeTagList, encodeTagText, readChunkedTag } from "./tag-codec.js";

/** Keys of the tags Coffer keeps on an AWS secret (all start with `coffer:`). */
export const TAG_KEYS = {
  name: "coffer:name",
  scope: "coffer:scope",
  env: "coffer:env",
  tags: "coffer:tags",
  ttl: "coffer:ttl",
  expiresAt: "coffer:expiresAt",
  rotationFormat: "coffer:rotationFormat",
  rotationPrefix: "coffer:rotationPrefix",
  allowedAgentIds: "coffer:allowedAgentIds",
  writeOnly: "coffer:writeOnly",
  createdAt: "coffer:createdAt",
  encoding: "coffer:encoding",
  version: "coffer:version",
  validUntil: "coffer:validUntil",
  deletedAt: "coffer:deletedAt",
} as const;

/** Prefix of every tag key Coffer owns. */
export const COFFER_TAG_PREFIX = "coffer:";
/** Most tags Coffer writes on one secret (AWS allows 50 in all, leaving room for others). */
export const MAX_COFFER_TAGS = 40;

/** Everything Coffer records in tags for the current version of one state. */
export interface CofferTagInput {
  /** The state. */
  address: SecretAddress;
  /** Attributes of the version written. */
  attributes: SecretAttributes;
  /** Value encoding of the version written. */
  encoding: ValueEncoding;
  /** When the state was first created, ISO 8601. */
  createdAt: string;
  /** Highest Coffer version number written. */
  version: number;
  /** Per-version end of readability, epoch milliseconds, for versions with a rotation grace. */
  validUntil: ReadonlyMap<number, number>;
}

/**
 * Check the attributes of a write fit AWS before any call is made.
 * @throws CofferError INVALID_ARGUMENT (description too long, bad ttl, bad expiry, bad format).
 */
export function checkAttributes(attributes: SecretAttributes): void {
  if (attributes.description !== undefined) {
    if (typeof attributes.description !== "string") {
      throw new CofferError("INVALID_ARGUMENT", "description must be text", { field: "description" });
    }
    if (Buffer.byteLength(attributes.description, "utf8") > MAX_DESCRIPTION_BYTES) {
      throw new CofferError("INVALID_ARGUMENT", `description must be at most ${MAX_DESCRIPTION_BYTES} bytes`, {
        field: "description",
      });
    }
  }
  if (attributes.ttlSeconds !== undefined && (!Number.isInteger(attributes.ttlSeconds) || attributes.ttlSeconds <= 0)) {
    throw new CofferError("INVALID_ARGUMENT", "ttlSeconds must be a positive integer", { field: "ttlSeconds" });
  }
  if (attributes.expiresAt !== undefined && Number.isNaN(Date.parse(attributes.expiresAt))) {
    throw new CofferError("INVALID_ARGUMENT", "expiresAt must be an ISO 8601 date", { field: "expiresAt" });
  }
  if (attributes.rotationFormat !== undefined && !SECRET_FORMATS.includes(attributes.rotationFormat)) {
    throw new CofferError("INVALID_ARGUMENT", `rotationFormat must be one of ${SECRET_FORMATS.join(", ")}`, {
      field: "rotationFormat",
    });
  }
  for (const field of ["tags", "allowedAgentIds"] as const) {
    const list = attributes[field];
    if (list !== undefined && (!Array.isArray(list) || list.some((item) => typeof item !== "string"))) {
      throw new CofferError("INVALID_ARGUMENT", `${field} must be a list of strings`, { field });
    }
  }
}

/** Serialise the per-version validity map: `3=1767225600000 4=...`. */
function encodeValidUntil(map: ReadonlyMap<number, number>): string {
  return [...map.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([v, t]) => `${v}=${t}`)
    .join(" ");
}

/** Parse the per-version validity map. */
export function readValidUntil(tags: ReadonlyMap<string, string>): Map<number, number> {
  const out = new Map<number, number>();
  const raw = readChunkedTag(tags, TAG_KEYS.validUntil);
  if (raw === undefined) return out;
  for (const entry of raw.split(" ")) {
    const [v, t] = entry.split("=");
    const version = Number(v);
    const until = Number(t);
    if (Number.isInteger(version) && version > 0 && Number.isFinite(until)) out.set(version, until);
  }
  return out;
}

/**
 * The complete set of `coffer:*` tags for a state after a write (description is native, not a tag).
 * @throws CofferError INVALID_ARGUMENT when they would not fit AWS's tag limits.
 */
export function buildCofferTags(input: CofferTagInput): Map<string, string> {
  const a = input.attributes;
  const entries: [string, string][] = [];
  const add = (key: string, encoded: string) => entries.push(...chunkTag(key, encoded));
  add(TAG_KEYS.name, encodeTagText(input.address.name));
  add(TAG_KEYS.scope, encodeTagText(scopeKey(input.address.scope)));
  if (input.address.env !== undefined) add(TAG_KEYS.env, encodeTagText(input.address.env));
  add(TAG_KEYS.createdAt, input.createdAt);
  add(TAG_KEYS.version, String(input.version));
  if (input.encoding === "base64") add(TAG_KEYS.encoding, "base64");
  if (a.tags !== undefined && a.tags.length > 0) add(TAG_KEYS.tags, encodeTagList(a.tags));
  if (a.ttlSeconds !== undefined) add(TAG_KEYS.ttl, String(a.ttlSeconds));
  if (a.expiresAt !== undefined) add(TAG_KEYS.expiresAt, encodeTagText(a.expiresAt));
  if (a.rotationFormat !== undefined) add(TAG_KEYS.rotationFormat, a.rotationFormat);
  if (a.rotationPrefix !== undefined) add(TAG_KEYS.rotationPrefix, encodeTagText(a.rotationPrefix));
  if (a.allowedAgentIds !== undefined) add(TAG_KEYS.allowedAgentIds, encodeTagList(a.allowedAgentIds));
  if (a.writeOnly === true) add(TAG_KEYS.writeOnly, "true");
  if (input.validUntil.size > 0) add(TAG_KEYS.validUntil, encodeValidUntil(input.validUntil));
  if (entries.length > MAX_COFFER_TAGS) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `metadata of secret is too large for AWS tags (${entries.length} tags needed, at most ${MAX_COFFER_TAGS})`,
      { field: "tags", rule: "AWS allows 50 tags of 256 characters per secret" },
    );
  }
  return new Map(entries);
}

/** Attributes recorded in a secret's tags, plus its description. */
export function readAttributes(tags: ReadonlyMap<string, string>, description: string | undefined): SecretAttributes {
  const out: SecretAttributes = {};
  if (description !== undefined && description !== "") out.description = description;
  const list = readChunkedTag(tags, TAG_KEYS.tags);
  if (list !== undefined) out.tags = decodeTagList(list);
  const ttl = Number(tags.get(TAG_KEYS.ttl));
  if (tags.has(TAG_KEYS.ttl) && Number.isInteger(ttl) && ttl > 0) out.ttlSeconds = ttl;
  const expiresAt = readChunkedTag(tags, TAG_KEYS.expiresAt);
  if (expiresAt !== undefined) out.expiresAt = decodeTagText(expiresAt);
  const format = tags.get(TAG_KEYS.rotationFormat);
  if (format !== undefined && SECRET_FORMATS.includes(format as SecretFormat)) {
    out.rotationFormat = format as SecretFormat;
  }
  const rotationPrefix = readChunkedTag(tags, TAG_KEYS.rotationPrefix);
  if (rotationPrefix !== undefined) out.rotationPrefix = decodeTagText(rotationPrefix);
  const agents = readChunkedTag(tags, TAG_KEYS.allowedAgentIds);
  if (agents !== undefined) out.allowedAgentIds = decodeTagList(agents);
  if (tags.get(TAG_KEYS.writeOnly) === "true") out.writeOnly = true;
  return out;
}

/** Text of a single-valued tag, decoded; undefined when absent. */
export function readTagText(tags: ReadonlyMap<string, string>, key: string): string | undefined {
  const raw = readChunkedTag(tags, key);
  return raw === undefined ? undefined : decodeTagText(raw);
}
