import { type ErrorCode, isCofferError } from "@coffer/core";

/** HTTP status of each Coffer error code: the REST server's one mapping table. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  APPROVAL_REQUIRED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  TOO_LARGE: 413,
  EXPIRED: 422,
  UNSUPPORTED: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  CONFIG: 503,
  INTEGRITY: 500,
  INTERNAL: 500,
};

/** Short title of each problem type. */
const TITLE_BY_CODE: Record<ErrorCode, string> = {
  INVALID_ARGUMENT: "Invalid argument",
  UNAUTHENTICATED: "Authentication required",
  PERMISSION_DENIED: "Permission denied",
  APPROVAL_REQUIRED: "Approval required",
  NOT_FOUND: "Not found",
  ALREADY_EXISTS: "Already exists",
  CONFLICT: "Conflict",
  TOO_LARGE: "Too large",
  EXPIRED: "Expired",
  UNSUPPORTED: "Unsupported",
  RATE_LIMITED: "Too many requests",
  UNAVAILABLE: "Unavailable",
  CONFIG: "Server misconfigured",
  INTEGRITY: "Integrity failure",
  INTERNAL: "Internal error",
};

/** An RFC 9457 problem document, as every error response carries it. */
export interface Problem {
  /** Problem type URI: `urn:coffer:error:<code>`. */
  type: string;
  /** Short, code-specific summary. */
  title: string;
  /** HTTP status. */
  status: number;
  /** Human explanation of this occurrence (never a value). */
  detail: string;
  /** Stable Coffer error code. */
  code: string;
  /** Value-free structured context (`field`, `currentVersion`, `hint`, ...). */
  details?: Record<string, unknown>;
}

/** Media type of error responses. */
export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/**
 * An error the HTTP layer raises with an explicit status and code (a Coffer code), for cases the
 * code table does not decide alone (412 on an `If-Match` conflict, 415, 429).
 */
export class HttpProblem extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Coffer error code. */
  readonly code: ErrorCode;
  /** Value-free context. */
  readonly details: Record<string, unknown>;
  /** Response headers to add (`Retry-After`, `WWW-Authenticate`). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: ErrorCode,
    detail: string,
    details: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = "HttpProblem";
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/** Build a problem document. */
export function problem(status: number, code: ErrorCode, detail: string, details?: Record<string, unknown>): Problem {
  return {
    type: `urn:coffer:error:${code.toLowerCase().replaceAll("_", "-")}`,
    title: TITLE_BY_CODE[code],
    status,
    detail,
    code,
    ...(details && Object.keys(details).length > 0 ? { details } : {}),
  };
}

/** What an error becomes on the wire: the problem plus headers to set. */
export interface ProblemResponse {
  /** The body. */
  body: Problem;
  /** Extra headers. */
  headers: Record<string, string>;
}

interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  validation?: Array<{ instancePath?: string; keyword?: string; params?: Record<string, unknown>; message?: string }>;
  validationContext?: unknown;
  message?: unknown;
}

/**
 * Turn anything thrown while serving a request into a problem response. Coffer errors keep
 * their (value-free) message; Fastify's parse and validation errors get fixed texts, because
 * parser messages can quote the request body; anything else is a generic internal error.
 */
export function toProblemResponse(err: unknown): ProblemResponse {
  if (err instanceof HttpProblem) {
    return { body: problem(err.status, err.code, err.message, err.details), headers: err.headers };
  }
  if (isCofferError(err)) {
    const status = HTTP_STATUS_BY_CODE[err.code] ?? 500;
    const headers: Record<string, string> = status === 401 ? { "www-authenticate": 'Bearer realm="coffer"' } : {};
    const detail = err.code === "INTERNAL" ? "unexpected internal error" : err.message;
    const details = err.code === "INTERNAL" ? undefined : (err.details as Record<string, unknown>);
    return { body: problem(status, err.code, detail, details), headers };
  }
  const fe = (typeof err === "object" && err !== null ? err : {}) as FrameworkError;
  const status = typeof fe.statusCode === "number" ? fe.statusCode : 500;
  switch (fe.code) {
    case "FST_ERR_VALIDATION":
      return { body: validationProblem(fe), headers: {} };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { body: problem(400, "INVALID_ARGUMENT", "request body is not valid JSON"), headers: {} };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return {
        body: problem(400, "INVALID_ARGUMENT", "request body is empty but the content type is application/json"),
        headers: {},
      };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { body: problem(413, "TOO_LARGE", "request body is too large for this route"), headers: {} };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        body: problem(415, "UNSUPPORTED", "unsupported content type for this route (send application/json)"),
        headers: {},
      };
    case "FST_ERR_BAD_URL":
      return { body: problem(400, "INVALID_ARGUMENT", "the request URL is not validly percent-encoded"), headers: {} };
    default:
      break;
  }
  if (status === 413) return { body: problem(413, "TOO_LARGE", "request is too large"), headers: {} };
  // A path parameter over the router's limit (1024 characters) breaks the documented maxLength: a 400 like any other.
  if (status === 414) {
    return { body: problem(400, "INVALID_ARGUMENT", "a path parameter is too long", { in: "path" }), headers: {} };
  }
  if (status === 415) return { body: problem(415, "UNSUPPORTED", "unsupported content type"), headers: {} };
  if (status === 404) return { body: problem(404, "NOT_FOUND", "no such resource"), headers: {} };
  if (status >= 400 && status < 500)
    return { body: problem(status, "INVALID_ARGUMENT", "malformed request"), headers: {} };
  return { body: problem(500, "INTERNAL", "unexpected internal error"), headers: {} };
}

function validationProblem(fe: FrameworkError): Problem {
  const first = fe.validation?.[0];
  const part = typeof fe.validationContext === "string" ? fe.validationContext : "request";
  const path = (first?.instancePath ?? "").replace(/^\//, "").replaceAll("/", ".");
  const params = first?.params ?? {};
  const named = (key: string) => (typeof params[key] === "string" ? (params[key] as string).slice(0, 64) : undefined);
  const field = named("additionalProperty") ?? named("missingProperty") ?? (path || undefined);
  let detail: string;
  if (first?.keyword === "additionalProperties") detail = `${part} has an unknown field ${JSON.stringify(field)}`;
  else if (first?.keyword === "required") detail = `${part} is missing the required field ${JSON.stringify(field)}`;
  else detail = `${part}${path ? `.${path}` : ""} ${first?.message ?? "is invalid"}`;
  return problem(400, "INVALID_ARGUMENT", detail, { ...(field === undefined ? {} : { field }), in: part });
}
