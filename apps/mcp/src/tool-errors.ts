import { type CofferError, type ErrorCode, toCofferError } from "@coffer/core";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type * as z from "zod";

/**
 * How each error code reaches the model: every code is an `isError` tool result whose text
 * starts with the code (`NOT_FOUND: secret "X" not found`). `retry` marks temporary failures
 * worth retrying; the text then says so.
 */
export const MCP_ERROR_TABLE: Record<ErrorCode, { isError: true; retry: boolean }> = {
  NOT_FOUND: { isError: true, retry: false },
  ALREADY_EXISTS: { isError: true, retry: false },
  CONFLICT: { isError: true, retry: false },
  INVALID_ARGUMENT: { isError: true, retry: false },
  PERMISSION_DENIED: { isError: true, retry: false },
  UNAUTHENTICATED: { isError: true, retry: false },
  EXPIRED: { isError: true, retry: false },
  UNAVAILABLE: { isError: true, retry: true },
  INTEGRITY: { isError: true, retry: false },
  UNSUPPORTED: { isError: true, retry: false },
  CONFIG: { isError: true, retry: false },
  TOO_LARGE: { isError: true, retry: false },
  APPROVAL_REQUIRED: { isError: true, retry: false },
  RATE_LIMITED: { isError: true, retry: true },
  INTERNAL: { isError: true, retry: false },
};

/**
 * The text of an error result: `CODE: message`, the hint on the next line when there is one.
 * `APPROVAL_REQUIRED` says which request a human must approve, and that the agent cannot.
 */
export function errorText(err: CofferError): string {
  const row = MCP_ERROR_TABLE[err.code] ?? MCP_ERROR_TABLE.INTERNAL;
  let text = `${err.code}: ${err.message}`;
  const hint = err.details.hint;
  const requestId = err.details.requestId;
  if (err.code === "APPROVAL_REQUIRED" && typeof requestId === "string") {
    text +=
      `\nrequest ${requestId}; a human must run: coffer approve ${requestId}` +
      "\nYou cannot approve it yourself. Tell the user, then call this tool again once it is approved (approval_status shows where it stands).";
  } else if (err.code === "EXPIRED") {
    // Core's hint names allowExpired, which no MCP tool accepts: an agent cannot read past expiry.
    text +=
      "\nhint: the secret is past its expiry; ask a human to rotate it (coffer rotate) or to set a later expiresAt";
  } else if (typeof hint === "string" && hint.length > 0) text += `\nhint: ${hint}`;
  if (row.retry) text += "\n(temporary failure: retrying later may succeed)";
  return text;
}

/**
 * Turn anything thrown by a tool into an `isError` result. Non-Coffer errors become a generic
 * `INTERNAL` text: foreign exception messages (which may echo input) and stack traces never
 * reach the model.
 */
export function toolErrorResult(err: unknown): CallToolResult {
  const coffer = toCofferError(err);
  return {
    content: [{ type: "text", text: errorText(coffer) }],
    isError: MCP_ERROR_TABLE[coffer.code]?.isError ?? true,
  };
}

/** An `isError` result with a given code and message. */
export function codedErrorResult(code: ErrorCode, message: string): CallToolResult {
  return { content: [{ type: "text", text: `${code}: ${message}` }], isError: true };
}

/** Where an issue points: `tags[1]`, `scope`, or `arguments` for the whole object. */
function issuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "arguments";
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out.length === 0 ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** True when the argument at `path` was not given at all. */
function isMissing(args: unknown, path: readonly PropertyKey[]): boolean {
  let node: unknown = args;
  for (const part of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, part)) return true;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node === undefined;
}

/** One issue in words. Built from the issue kind, never from the input (which may be a value). */
function issueText(issue: z.core.$ZodIssue, args: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return isMissing(args, issue.path) ? "is required" : `must be ${article(issue.expected)}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    case "too_small":
      return issue.origin === "string"
        ? `must not be empty${Number(issue.minimum) > 1 ? ` (at least ${issue.minimum} characters)` : ""}`
        : issue.origin === "array"
          ? `must have at least ${issue.minimum} item(s)`
          : `must be ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      return issue.origin === "string"
        ? `must be at most ${issue.maximum} characters`
        : issue.origin === "array"
          ? `must have at most ${issue.maximum} item(s)`
          : `must be ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    case "invalid_format":
      return issue.format === "datetime"
        ? "must be an RFC 3339 date-time (2026-01-31T00:00:00Z)"
        : `must be a valid ${issue.format}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "custom":
      return issue.message;
    default:
      return "is invalid";
  }
}

function article(type: string): string {
  if (type === "int") return "an integer";
  if (type === "array") return "a list";
  if (type === "object") return "an object";
  return `a ${type}`;
}

/** The `isError` result for arguments that failed schema validation. Nothing was changed. */
export function validationErrorResult(tool: string, error: z.ZodError, args: unknown): CallToolResult {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === "invalid_union") {
      parts.push(`${issuePath(issue.path)} is invalid`);
      continue;
    }
    const line =
      issue.code === "unrecognized_keys"
        ? issueText(issue, args)
        : `${issuePath(issue.path)} ${issueText(issue, args)}`;
    if (!seen.has(line)) {
      seen.add(line);
      parts.push(line);
    }
  }
  return codedErrorResult("INVALID_ARGUMENT", `invalid arguments for ${tool}: ${parts.join("; ")}`);
}
