/**
 * The closed set of error codes every Coffer layer speaks. Front ends map each code to an exit
 * code, an MCP `isError` result and an HTTP status in one table each.
 */
export const ERROR_CODES = [
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "CONFLICT",
  "INVALID_ARGUMENT",
  "PERMISSION_DENIED",
  "UNAUTHENTICATED",
  "EXPIRED",
  "UNAVAILABLE",
  "INTEGRITY",
  "UNSUPPORTED",
  "CONFIG",
  "TOO_LARGE",
  "APPROVAL_REQUIRED",
  "RATE_LIMITED",
  "INTERNAL",
] as const;

/** One of Coffer's error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Structured, value-free context attached to an error. */
export interface ErrorDetails {
  /** Secret name concerned, when there is one. */
  name?: string;
  /** Provider that produced the error. */
  provider?: string;
  /** Per-provider outcomes when a chain operation failed everywhere. */
  outcomes?: ProviderOutcome[];
  /** Current version when a CONFLICT was raised. */
  currentVersion?: number;
  /** The rule that decided a denial, or the naming rule that was violated. */
  rule?: string;
  /** Field that was invalid. */
  field?: string;
  /** Hint shown after the message by front ends. */
  hint?: string;
  /** Anything else, never a secret value. */
  [key: string]: unknown;
}

/** What one provider did during a chain operation. */
export interface ProviderOutcome {
  /** Provider instance name. */
  provider: string;
  /** `hit`, `miss` (NOT_FOUND) or `error`. */
  outcome: "hit" | "miss" | "error" | "skipped";
  /** Error code for `error` outcomes. */
  code?: ErrorCode;
  /** Human message for `error` outcomes (never a value). */
  message?: string;
}

/**
 * The one error class of Coffer. `code` is stable and machine-readable; `message` is for people
 * and never contains a secret value.
 */
export class CofferError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Value-free structured details. */
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CofferError";
    this.code = code;
    this.details = details;
  }

  /** JSON shape used by `--json` envelopes, MCP results and REST problem bodies. */
  toJSON(): { code: ErrorCode; message: string; details?: ErrorDetails } {
    const hasDetails = Object.keys(this.details).length > 0;
    return hasDetails
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

/** True when `err` is a CofferError (optionally with the given code). */
export function isCofferError(err: unknown, code?: ErrorCode): err is CofferError {
  return err instanceof CofferError && (code === undefined || err.code === code);
}

/**
 * Wrap any thrown value as a CofferError. Unknown errors become `INTERNAL` with a generic message,
 * so foreign exception text (which might echo input) never reaches a user unfiltered.
 */
export function toCofferError(err: unknown, fallbackMessage = "unexpected internal error"): CofferError {
  if (err instanceof CofferError) return err;
  return new CofferError("INTERNAL", fallbackMessage, {}, { cause: err });
}
