import {
  CofferError,
  MAX_DESCRIPTION_BYTES,
  MAX_VALUE_BYTES,
  quoteName,
  SECRET_FORMATS,
  type SecretAttributes,
  type SecretWrite,
  type ValueEncoding,
} from "@coffer/core";

/** A write checked and converted for storage. */
export interface PreparedWrite {
  /** Value bytes (base64 values are decoded: stored as bytes). */
  plaintext: Buffer;
  /** Value encoding. */
  encoding: ValueEncoding;
  /** Attributes as the JSON stored in clear. */
  attributesJson: string;
  /** Why the version was written. */
  reason: string;
  /** Grace of the previous version in seconds, when limited. */
  previousValidForSeconds?: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

function invalid(field: string, message: string): CofferError {
  return new CofferError("INVALID_ARGUMENT", message, { field });
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw invalid(field, `${field} must be a list of strings`);
  }
  return [...value];
}

/**
 * Pick and check the attributes of a write. Only the known `SecretAttributes` fields are kept,
 * so nothing unexpected lands in the clear-text metadata.
 */
export function pickAttributes(write: SecretAttributes): SecretAttributes {
  const out: SecretAttributes = {};
  if (write.description !== undefined) {
    if (typeof write.description !== "string") throw invalid("description", "description must be a string");
    if (Buffer.byteLength(write.description, "utf8") > MAX_DESCRIPTION_BYTES) {
      throw invalid("description", `description is longer than ${MAX_DESCRIPTION_BYTES} bytes`);
    }
    out.description = write.description;
  }
  if (write.tags !== undefined) out.tags = stringList(write.tags, "tags");
  if (write.ttlSeconds !== undefined) {
    if (typeof write.ttlSeconds !== "number" || !Number.isFinite(write.ttlSeconds) || write.ttlSeconds <= 0) {
      throw invalid("ttlSeconds", "ttlSeconds must be a positive number");
    }
    out.ttlSeconds = write.ttlSeconds;
  }
  if (write.expiresAt !== undefined) {
    if (typeof write.expiresAt !== "string" || Number.isNaN(Date.parse(write.expiresAt))) {
      throw invalid("expiresAt", "expiresAt must be an ISO 8601 time");
    }
    out.expiresAt = write.expiresAt;
  }
  if (write.rotationFormat !== undefined) {
    if (!(SECRET_FORMATS as readonly unknown[]).includes(write.rotationFormat)) {
      throw invalid("rotationFormat", `rotationFormat must be one of ${SECRET_FORMATS.join(", ")}`);
    }
    out.rotationFormat = write.rotationFormat;
  }
  if (write.rotationPrefix !== undefined) {
    if (typeof write.rotationPrefix !== "string") throw invalid("rotationPrefix", "rotationPrefix must be a string");
    out.rotationPrefix = write.rotationPrefix;
  }
  if (write.allowedAgentIds !== undefined) out.allowedAgentIds = stringList(write.allowedAgentIds, "allowedAgentIds");
  if (write.writeOnly !== undefined) {
    if (typeof write.writeOnly !== "boolean") throw invalid("writeOnly", "writeOnly must be true or false");
    out.writeOnly = write.writeOnly;
  }
  return out;
}

/** Decode a value per its encoding. @throws CofferError INVALID_ARGUMENT, TOO_LARGE */
export function decodeValue(value: unknown, encoding: unknown, name: string): Buffer {
  if (typeof value !== "string") throw invalid("value", `the value of secret ${quoteName(name)} must be a string`);
  let bytes: Buffer;
  if (encoding === "base64") {
    if (!BASE64.test(value)) throw invalid("value", `the value of secret ${quoteName(name)} is not valid base64`);
    bytes = Buffer.from(value, "base64");
  } else if (encoding === "utf-8") {
    bytes = Buffer.from(value, "utf8");
  } else {
    throw invalid("encoding", 'encoding must be "utf-8" or "base64"');
  }
  if (bytes.length > MAX_VALUE_BYTES) {
    throw new CofferError(
      "TOO_LARGE",
      `the value of secret ${quoteName(name)} is ${bytes.length} bytes; the limit is ${MAX_VALUE_BYTES}`,
      { name, field: "value", limit: MAX_VALUE_BYTES },
    );
  }
  return bytes;
}

/** Check a write and convert it for storage. @throws CofferError INVALID_ARGUMENT, TOO_LARGE */
export function prepareWrite(write: SecretWrite, name: string): PreparedWrite {
  if (!write || typeof write !== "object") throw invalid("value", "a value to write is required");
  const encoding = write.encoding ?? "utf-8";
  const plaintext = decodeValue(write.value, encoding, name);
  const reason = write.reason ?? "write";
  if (typeof reason !== "string" || reason.length === 0 || reason.length > 64) {
    throw invalid("reason", "reason must be a string of 1-64 characters");
  }
  const prepared: PreparedWrite = {
    plaintext,
    encoding,
    attributesJson: JSON.stringify(pickAttributes(write)),
    reason,
  };
  const grace = write.previousValidForSeconds;
  if (grace !== undefined) {
    if (typeof grace !== "number" || !Number.isFinite(grace) || grace < 0) {
      throw invalid("previousValidForSeconds", "previousValidForSeconds must be a number of seconds, 0 or more");
    }
    prepared.previousValidForSeconds = grace;
  }
  return prepared;
}
