import { CofferError } from "../errors/index.js";
import { parseTimestamp } from "../inputs/time-input.js";
import { MAX_DESCRIPTION_BYTES, MAX_VALUE_BYTES, type ValueEncoding } from "../model/index.js";
import { quoteName, validateSecretName } from "../names/index.js";
import { IMPORT_ITEM_FIELDS, type ImportItem } from "./types.js";

/** How scalars arrive: JSON keeps types; YAML is read with the failsafe schema (all strings). */
export type ScalarStyle = "typed" | "text";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function fieldError(name: string, field: string, problem: string): CofferError {
  return new CofferError("INVALID_ARGUMENT", `import entry ${quoteName(name)}: ${field} ${problem}`, { name, field });
}

/**
 * Check an expiry date (`YYYY-MM-DD`, or a date-time with `Z` or an offset) and normalize it to
 * ISO 8601 UTC (see `parseTimestamp`). Returns undefined when the text is not such a date.
 */
export function normalizeExpiry(text: string): string | undefined {
  return parseTimestamp(text);
}

function readValue(name: string, raw: unknown, encoding: ValueEncoding): string {
  if (typeof raw !== "string") throw fieldError(name, "value", "must be a string");
  if (encoding === "base64") {
    if (!BASE64.test(raw)) throw fieldError(name, "value", "is not valid base64 (encoding is base64)");
    if (Buffer.byteLength(raw, "base64") > MAX_VALUE_BYTES) throw tooLarge(name);
  } else if (Buffer.byteLength(raw, "utf8") > MAX_VALUE_BYTES) throw tooLarge(name);
  return raw;
}

function tooLarge(name: string): CofferError {
  return new CofferError(
    "TOO_LARGE",
    `import entry ${quoteName(name)}: value is larger than ${MAX_VALUE_BYTES} bytes`,
    { name, field: "value" },
  );
}

function readTags(name: string, raw: unknown): string[] {
  if (!Array.isArray(raw)) throw fieldError(name, "tags", "must be a list of strings");
  raw.forEach((tag, i) => {
    if (typeof tag !== "string" || tag.trim() === "") {
      throw fieldError(name, "tags", `entry ${i + 1} must be a non-empty string`);
    }
  });
  return [...(raw as string[])];
}

function readTtl(name: string, raw: unknown, style: ScalarStyle): number {
  const ttl = style === "text" && typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < 1) {
    throw fieldError(name, "ttlSeconds", "must be a positive whole number of seconds");
  }
  return ttl;
}

/** Validate a secret name read from an import file. @throws CofferError INVALID_ARGUMENT */
export function readImportName(name: string, where = ""): string {
  try {
    return validateSecretName(name);
  } catch (err) {
    if (err instanceof CofferError && where) {
      throw new CofferError(err.code, `${where}: ${err.message}`, err.details, { cause: err });
    }
    throw err;
  }
}

/**
 * Validate one entry of a JSON/YAML import: a string value, or an object with `value` and
 * optional `tags`, `description`, `expiresAt`, `ttlSeconds`, `encoding`.
 * @throws CofferError INVALID_ARGUMENT naming the entry and field (never the value); TOO_LARGE for
 *   a value over 64 KiB.
 */
export function readImportEntry(name: string, raw: unknown, style: ScalarStyle): ImportItem {
  readImportName(name);
  if (typeof raw === "string") return { name, value: readValue(name, raw, "utf-8") };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw fieldError(name, "entry", "must be a string value or an object with a value field");
  }
  const fields = raw instanceof Map ? new Map<string, unknown>(raw) : new Map(Object.entries(raw));
  const unknown = [...fields.keys()].filter((f) => !(IMPORT_ITEM_FIELDS as readonly string[]).includes(f));
  if (unknown.length > 0) {
    throw fieldError(
      name,
      unknown.length === 1 ? "field" : "fields",
      `${unknown.map((f) => quoteName(f)).join(", ")} ${unknown.length === 1 ? "is" : "are"} not allowed; allowed fields: ${IMPORT_ITEM_FIELDS.join(", ")}`,
    );
  }
  if (!fields.has("value")) throw fieldError(name, "value", "is required");

  let encoding: ValueEncoding = "utf-8";
  const rawEncoding = fields.get("encoding");
  if (rawEncoding !== undefined) {
    if (rawEncoding !== "utf-8" && rawEncoding !== "base64")
      throw fieldError(name, "encoding", 'must be "utf-8" or "base64"');
    encoding = rawEncoding;
  }
  const item: ImportItem = { name, value: readValue(name, fields.get("value"), encoding) };
  if (rawEncoding !== undefined) item.encoding = encoding;

  const tags = fields.get("tags");
  if (tags !== undefined) item.tags = readTags(name, tags);
  const description = fields.get("description");
  if (description !== undefined) {
    if (typeof description !== "string") throw fieldError(name, "description", "must be a string");
    if (Buffer.byteLength(description, "utf8") > MAX_DESCRIPTION_BYTES) {
      throw fieldError(name, "description", `must be at most ${MAX_DESCRIPTION_BYTES} UTF-8 bytes`);
    }
    item.description = description;
  }
  const expiresAt = fields.get("expiresAt");
  if (expiresAt !== undefined) {
    const normalized = typeof expiresAt === "string" ? normalizeExpiry(expiresAt) : undefined;
    if (normalized === undefined) {
      throw fieldError(
        name,
        "expiresAt",
        "must be an ISO 8601 date (2025-12-31) or date-time with a zone (2025-12-31T23:59:00Z)",
      );
    }
    item.expiresAt = normalized;
  }
  const ttl = fields.get("ttlSeconds");
  if (ttl !== undefined) item.ttlSeconds = readTtl(name, ttl, style);
  return item;
}
