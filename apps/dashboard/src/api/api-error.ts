/**
 * A failed API call, from the server's RFC 9457 problem document (whose `detail` never holds a
 * secret value) or from the network. Its message is what the dashboard shows.
 */
export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** Coffer error code (`NOT_FOUND`, `CONFLICT`, ...), or `NETWORK`. */
  readonly code: string;
  /** Value-free context from the problem (`currentVersion`, `field`, `hint`). */
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The error of a response that is not a problem document (a proxy page, a crash). */
export function unexpectedResponse(status: number): ApiError {
  return new ApiError(status, "UNEXPECTED", `the server answered ${status} without an explanation`);
}

/** True when an error is an {@link ApiError} with this code (and status, when given). */
export function isApiError(err: unknown, code?: string, status?: number): err is ApiError {
  return (
    err instanceof ApiError &&
    (code === undefined || err.code === code) &&
    (status === undefined || err.status === status)
  );
}
