import { CofferError } from "../errors/index.js";

/** The whole numbers one numeric input accepts, on every front end. */
export interface NumericRange {
  /** Smallest accepted value. */
  readonly min: number;
  /** Largest accepted value. */
  readonly max: number;
  /** What the number counts (`seconds`, `entries`...), shown in messages and docs. */
  readonly unit: string;
}

const DAY = 86_400;
/** Ten years of 366 days, in seconds: the longest decay window, grace, token lifetime. */
const TEN_YEARS = 10 * 366 * DAY;

/**
 * Every numeric input Coffer takes (REST query and body fields, MCP tool arguments, CLI flags,
 * library options): whole numbers within these bounds. Front ends build their schemas from
 * this table (`minimum`/`maximum`, zod `min`/`max`) and the service checks the same bounds, so
 * a value outside them is `INVALID_ARGUMENT` (HTTP 400) everywhere and never reaches a
 * provider, a date computation or a timer.
 */
export const NUMERIC_RANGES = {
  /** A secret version number (`version`, rollback `to`). */
  version: { min: 1, max: 999_999_999, unit: "version" },
  /** A write precondition (`ifVersion`, `If-Match`): 0 means "must not exist". */
  ifVersion: { min: 0, max: 999_999_999, unit: "version" },
  /** Decay window of a secret (`ttlSeconds`, `--ttl`). */
  ttlSeconds: { min: 1, max: TEN_YEARS, unit: "seconds" },
  /** How long a rotated-out version stays readable (`graceSeconds`, `--grace`). */
  graceSeconds: { min: 0, max: TEN_YEARS, unit: "seconds" },
  /** An expiry given as a duration from now (`--expires 30d`). */
  expiresInSeconds: { min: 1, max: 100 * 366 * DAY, unit: "seconds" },
  /** How far back an audit query looks when given as a duration (`--since 7d`). */
  lookbackSeconds: { min: 1, max: 100 * 366 * DAY, unit: "seconds" },
  /** API token lifetime (`expiresInSeconds`, `--expires`). */
  tokenLifetimeSeconds: { min: 1, max: 10 * 365 * DAY, unit: "seconds" },
  /** Page size of a secret listing (`limit`). */
  listLimit: { min: 1, max: 1000, unit: "entries" },
  /** Audit entries in one answer (`limit` of audit queries). */
  auditLimit: { min: 1, max: 1000, unit: "entries" },
  /** Audit entries in one export (`limit` of audit exports). */
  auditExportLimit: { min: 1, max: 10_000, unit: "entries" },
  /** An audit sequence number (`beforeSeq`). */
  auditSequence: { min: 1, max: Number.MAX_SAFE_INTEGER, unit: "sequence number" },
  /** Reads or denials that make an anomaly (`burstReads`, `denials`). */
  anomalyCount: { min: 2, max: 100_000, unit: "events" },
  /** Window of an anomaly (`burstWindowSeconds`, `denialWindowSeconds`). */
  anomalyWindowSeconds: { min: 1, max: 31 * DAY, unit: "seconds" },
  /** Reads an accessor needs before its hours are judged (`minHistory`). */
  anomalyHistory: { min: 1, max: 100_000, unit: "reads" },
  /** Length of a generated value (`length`, `--length`). */
  generateLength: { min: 8, max: 4096, unit: "characters" },
  /** Time a command run with secrets may take (`timeoutSeconds`, `coffer run --timeout`). */
  execTimeoutSeconds: { min: 1, max: DAY, unit: "seconds" },
  /** Output kept per stream of a command run with secrets (`maxOutputBytes`). */
  execOutputBytes: { min: 256, max: 256 * 1024, unit: "bytes" },
  /** Time a hook may take (`timeoutSeconds`, `--timeout`). */
  hookTimeoutSeconds: { min: 1, max: 120, unit: "seconds" },
  /** How long a human approval lasts (`--for`). */
  approvalSeconds: { min: 1, max: 365 * DAY, unit: "seconds" },
  /** Time between two expiry-agent passes (`--interval`). */
  agentIntervalSeconds: { min: 1, max: DAY, unit: "seconds" },
  /** A TCP port (`--port`; 0 picks a free one). */
  port: { min: 0, max: 65_535, unit: "port" },
  /** Config `rotationGraceDays`: the default grace of a rotation. */
  rotationGraceDays: { min: 0, max: 3660, unit: "days" },
  /** Config `recoveryWindowDays`: how long a deleted secret can be restored. */
  recoveryWindowDays: { min: 0, max: 3660, unit: "days" },
  /** Config `historyLimit`: versions kept per secret. */
  historyLimit: { min: 0, max: 100_000, unit: "versions" },
  /** Approval requests in one answer (`limit`). */
  approvalLimit: { min: 1, max: 100, unit: "requests" },
} as const satisfies Record<string, NumericRange>;

/** The name of a range in {@link NUMERIC_RANGES}. */
export type NumericInput = keyof typeof NUMERIC_RANGES;

/** `from 1 to 1000`: a range as schema descriptions and messages show it. */
export function describeRange(range: NumericRange): string {
  return `from ${range.min} to ${range.max}`;
}

/**
 * Check a numeric input against its range.
 * @throws CofferError INVALID_ARGUMENT naming `field` when the value is not a whole number within the range
 */
export function checkNumericInput(range: NumericRange, value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `${field} must be a whole number ${describeRange(range)}${range.unit === "seconds" ? " (seconds)" : ""}`,
      { field, min: range.min, max: range.max },
    );
  }
  return value;
}

/**
 * Parse a whole number given as text (a query parameter, a CLI flag) and check its range.
 * @throws CofferError INVALID_ARGUMENT naming `field` for text that is not digits or a value outside the range
 */
export function parseNumericInput(range: NumericRange, text: string, field: string): number {
  const trimmed = text.trim();
  const value = /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  return checkNumericInput(range, value, field);
}
