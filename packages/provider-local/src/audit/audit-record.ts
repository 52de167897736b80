import { createHmac, type KeyObject } from "node:crypto";
import { AUDIT_ACTIONS, type AuditEntry, type AuditEntryInput, CofferError } from "@coffer/core";

/** One row of the `audit_log` table. */
export interface AuditRow {
  seq: number;
  time: string;
  accessor: string;
  front_end: string;
  action: string;
  name: string | null;
  scope: string | null;
  env: string | null;
  provider: string | null;
  success: number;
  error_code: string | null;
  purpose: string | null;
  fingerprint: string | null;
  version: number | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

const FRONT_ENDS = ["cli", "mcp", "rest", "library"];
const MAX_DETAILS_BYTES = 16 * 1024;

function invalid(field: string, message: string): CofferError {
  return new CofferError("INVALID_ARGUMENT", `audit entry: ${message}`, { field });
}

function optionalText(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalid(field, `${field} must be a string`);
  return value;
}

/** JSON with object keys sorted at every level, so equal details always serialize the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint" || typeof v === "function" || typeof v === "symbol") {
      throw invalid("details", "details must be plain JSON");
    }
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, o[k]]),
      );
    }
    return v;
  });
}

/**
 * Check an entry and turn it into a row without `seq`, `prev_hash` and `hash`. The time is
 * normalized to `toISOString()` form so time filters compare correctly.
 * @throws CofferError INVALID_ARGUMENT
 */
export function toAuditRow(entry: AuditEntryInput): Omit<AuditRow, "seq" | "prev_hash" | "hash"> {
  if (!entry || typeof entry !== "object") throw invalid("entry", "an entry is required");
  const time = typeof entry.time === "string" ? Date.parse(entry.time) : Number.NaN;
  if (Number.isNaN(time)) throw invalid("time", "time must be an ISO 8601 time");
  if (typeof entry.accessor !== "string" || entry.accessor.length === 0) {
    throw invalid("accessor", "accessor is required");
  }
  if (!FRONT_ENDS.includes(entry.frontEnd))
    throw invalid("frontEnd", `frontEnd must be one of ${FRONT_ENDS.join(", ")}`);
  if (!(AUDIT_ACTIONS as readonly string[]).includes(entry.action)) {
    throw invalid("action", `action must be one of ${AUDIT_ACTIONS.join(", ")}`);
  }
  if (typeof entry.success !== "boolean") throw invalid("success", "success must be true or false");
  if (entry.version !== undefined && (!Number.isInteger(entry.version) || entry.version < 0)) {
    throw invalid("version", "version must be a whole number");
  }
  let details: string | null = null;
  if (entry.details !== undefined) {
    if (!entry.details || typeof entry.details !== "object" || Array.isArray(entry.details)) {
      throw invalid("details", "details must be an object");
    }
    details = canonicalJson(entry.details);
    if (Buffer.byteLength(details, "utf8") > MAX_DETAILS_BYTES) {
      throw invalid("details", `details are larger than ${MAX_DETAILS_BYTES} bytes`);
    }
  }
  return {
    time: new Date(time).toISOString(),
    accessor: entry.accessor,
    front_end: entry.frontEnd,
    action: entry.action,
    name: optionalText(entry.name, "name"),
    scope: optionalText(entry.scope, "scope"),
    env: optionalText(entry.env, "env"),
    provider: optionalText(entry.provider, "provider"),
    success: entry.success ? 1 : 0,
    error_code: optionalText(entry.errorCode, "errorCode"),
    purpose: optionalText(entry.purpose, "purpose"),
    fingerprint: optionalText(entry.fingerprint, "fingerprint"),
    version: entry.version ?? null,
    details,
  };
}

/**
 * Keyed hash of an entry: HMAC-SHA256 under the audit key over a fixed-position JSON array of
 * every field, the sequence number and the previous entry's hash.
 */
export function auditHash(key: Buffer | KeyObject, row: Omit<AuditRow, "hash">, seq: number = row.seq): string {
  const canonical = JSON.stringify([
    "coffer.audit.v1",
    seq,
    row.time,
    row.accessor,
    row.front_end,
    row.action,
    row.name,
    row.scope,
    row.env,
    row.provider,
    row.success === 1,
    row.error_code,
    row.purpose,
    row.fingerprint,
    row.version,
    row.details,
    row.prev_hash,
  ]);
  return createHmac("sha256", key).update(canonical, "utf8").digest("hex");
}

/** The public shape of a stored row. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  const entry: AuditEntry = {
    seq: row.seq,
    time: row.time,
    accessor: row.accessor,
    frontEnd: row.front_end as AuditEntry["frontEnd"],
    action: row.action as AuditEntry["action"],
    success: row.success === 1,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
  if (row.name !== null) entry.name = row.name;
  if (row.scope !== null) entry.scope = row.scope;
  if (row.env !== null) entry.env = row.env;
  if (row.provider !== null) entry.provider = row.provider;
  if (row.error_code !== null) entry.errorCode = row.error_code;
  if (row.purpose !== null) entry.purpose = row.purpose;
  if (row.fingerprint !== null) entry.fingerprint = row.fingerprint;
  if (row.version !== null) entry.version = row.version;
  if (row.details !== null) entry.details = JSON.parse(row.details) as Record<string, unknown>;
  return entry;
}
