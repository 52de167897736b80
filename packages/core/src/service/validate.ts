import { CofferError } from "../errors/index.js";
import { PREFIX_PATTERN } from "../generate/index.js";
import { checkNumericInput, NUMERIC_RANGES } from "../inputs/numeric-ranges.js";
import { normalizeTimestamp } from "../inputs/time-input.js";
import {
  MAX_DESCRIPTION_BYTES,
  MAX_VALUE_BYTES,
  SECRET_FORMATS,
  type SecretAttributes,
  type ValueEncoding,
} from "../model/secret.js";
import { AGENT_ID_RULE_TEXT, isValidAgentId } from "../names/agent-id.js";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const TAG = /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,63}$/;

/** Size in bytes of a value as stored. */
export function valueByteLength(value: string, encoding: ValueEncoding): number {
  return encoding === "base64" ? Buffer.from(value, "base64").length : Buffer.byteLength(value, "utf8");
}

/**
 * Check a value: a string, well-formed UTF-8 (or strict base64), at most 64 KiB.
 * @throws CofferError INVALID_ARGUMENT, TOO_LARGE (never quoting the value)
 */
export function validateValue(
  value: unknown,
  encoding: unknown = "utf-8",
  allowEmpty = false,
): { value: string; encoding: ValueEncoding } {
  if (encoding !== "utf-8" && encoding !== "base64") {
    throw new CofferError("INVALID_ARGUMENT", 'encoding must be "utf-8" or "base64"', { field: "encoding" });
  }
  if (typeof value !== "string") {
    throw new CofferError("INVALID_ARGUMENT", "value must be a string", { field: "value" });
  }
  if (value.length === 0 && !allowEmpty) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      "value is required (empty values are allowed only when writing an env state)",
      { field: "value" },
    );
  }
  if (encoding === "base64" && !BASE64.test(value)) {
    throw new CofferError("INVALID_ARGUMENT", "value is not valid base64", { field: "value" });
  }
  if (encoding === "utf-8" && !value.isWellFormed()) {
    throw new CofferError("INVALID_ARGUMENT", 'value is not valid UTF-8 text; send bytes with encoding "base64"', {
      field: "value",
    });
  }
  // Cheap upper bound first: a JS string of n code units is at most 3n UTF-8 bytes.
  if (value.length > MAX_VALUE_BYTES / 3 || encoding === "base64") {
    const size = valueByteLength(value, encoding);
    if (size > MAX_VALUE_BYTES) {
      throw new CofferError("TOO_LARGE", `value is ${size} bytes; the limit is ${MAX_VALUE_BYTES} bytes (64 KiB)`, {
        field: "value",
        size,
        limit: MAX_VALUE_BYTES,
      });
    }
  }
  return { value, encoding };
}

function fail(field: string, message: string): never {
  throw new CofferError("INVALID_ARGUMENT", message, { field });
}

/**
 * Validate write attributes (types, sizes, formats) and return a clean copy holding only the
 * known fields. @throws CofferError INVALID_ARGUMENT naming the field
 */
export function validateAttributes(input: SecretAttributes): SecretAttributes {
  const out: SecretAttributes = {};
  if (input.description !== undefined) {
    if (typeof input.description !== "string") fail("description", "description must be a string");
    if (Buffer.byteLength(input.description, "utf8") > MAX_DESCRIPTION_BYTES) {
      fail("description", `description exceeds ${MAX_DESCRIPTION_BYTES} byte limit`);
    }
    out.description = input.description;
  }
  if (input.tags !== undefined) {
    if (!Array.isArray(input.tags)) fail("tags", "tags must be a list of strings");
    if (input.tags.length > 50) fail("tags", "at most 50 tags are allowed");
    for (const t of input.tags) {
      if (typeof t !== "string" || !TAG.test(t)) {
        fail("tags", `each tag must match [A-Za-z0-9][A-Za-z0-9_.:/@-]* (1-64 characters)`);
      }
    }
    out.tags = [...new Set(input.tags)];
  }
  if (input.ttlSeconds !== undefined)
    out.ttlSeconds = checkNumericInput(NUMERIC_RANGES.ttlSeconds, input.ttlSeconds, "ttlSeconds");
  if (input.expiresAt !== undefined) out.expiresAt = normalizeTimestamp(input.expiresAt, "expiresAt");
  if (input.rotationFormat !== undefined) {
    if (!(SECRET_FORMATS as readonly unknown[]).includes(input.rotationFormat)) {
      fail("rotationFormat", `rotationFormat must be one of: ${SECRET_FORMATS.join(", ")}`);
    }
    out.rotationFormat = input.rotationFormat;
  }
  if (input.rotationPrefix !== undefined) {
    if (
      typeof input.rotationPrefix !== "string" ||
      input.rotationPrefix.length > 64 ||
      !PREFIX_PATTERN.test(input.rotationPrefix)
    ) {
      fail("rotationPrefix", "rotationPrefix must be up to 64 characters of A-Z a-z 0-9 _ . : -");
    }
    out.rotationPrefix = input.rotationPrefix;
  }
  if (input.allowedAgentIds !== undefined) {
    if (!Array.isArray(input.allowedAgentIds) || input.allowedAgentIds.length > 100) {
      fail("allowedAgentIds", "allowedAgentIds must be a list of at most 100 agent ids");
    }
    for (const id of input.allowedAgentIds) {
      if (!isValidAgentId(id)) {
        fail("allowedAgentIds", `each agent id must match ${AGENT_ID_RULE_TEXT}`);
      }
    }
    out.allowedAgentIds = [...new Set(input.allowedAgentIds)];
  }
  if (input.writeOnly !== undefined) {
    if (typeof input.writeOnly !== "boolean") fail("writeOnly", "writeOnly must be true or false");
    out.writeOnly = input.writeOnly;
  }
  return out;
}

/** Pick the attribute fields of a metadata record. */
export function attributesOf(meta: SecretAttributes): SecretAttributes {
  const out: SecretAttributes = {};
  for (const k of [
    "description",
    "tags",
    "ttlSeconds",
    "expiresAt",
    "rotationFormat",
    "rotationPrefix",
    "allowedAgentIds",
    "writeOnly",
  ] as const) {
    if (meta[k] !== undefined) (out as Record<string, unknown>)[k] = meta[k];
  }
  return out;
}
