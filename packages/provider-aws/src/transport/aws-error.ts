import { CofferError, type ErrorCode, parseRetryAfter } from "@coffer/core";

/** Facts about a failed AWS call, read from an SDK or network error without its message. */
export interface AwsFailure {
  /** AWS error code (`ResourceNotFoundException`) or network error code (`ECONNREFUSED`). */
  code: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Delay asked for by a `Retry-After` header, in milliseconds. */
  retryAfterMs?: number;
  /** True for throttling, timeouts, 5xx and network failures. */
  transient: boolean;
}

const PERMISSION_CODES = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "IncompleteSignatureException",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "MissingAuthenticationToken",
  "MissingAuthenticationTokenException",
  "NotAuthorized",
  "UnauthorizedOperation",
  "CredentialsProviderError",
  "DecryptionFailure",
  "EncryptionFailure",
]);

const THROTTLING_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ProvisionedThroughputExceededException",
  "BandwidthLimitExceeded",
]);

const SERVER_CODES = new Set([
  "InternalServiceError",
  "InternalServiceErrorException",
  "InternalFailure",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
]);

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "TimeoutError",
  "AbortError",
]);

function retryAfterOf(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const raw = Object.entries(headers).find(([k]) => k.toLowerCase() === "retry-after")?.[1];
  return parseRetryAfter(raw);
}

/** Read what failed from anything an SDK call can throw. */
export function describeAwsFailure(err: unknown): AwsFailure {
  const e = (err ?? {}) as {
    name?: unknown;
    code?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number; headers?: Record<string, string> };
    cause?: { code?: unknown };
  };
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const retryAfterMs = retryAfterOf(e.$response?.headers);
  const networkCode =
    typeof e.code === "string" ? e.code : typeof e.cause?.code === "string" ? e.cause.code : undefined;
  const name = typeof e.name === "string" ? e.name : "Error";
  // The SDK reports a missing region as a plain Error; only its text tells it apart.
  const regionMissing = err instanceof Error && /region is missing/i.test(err.message);
  const code = regionMissing
    ? "RegionMissing"
    : networkCode !== undefined && NETWORK_CODES.has(networkCode)
      ? networkCode
      : name;
  const transient =
    THROTTLING_CODES.has(code) ||
    SERVER_CODES.has(code) ||
    NETWORK_CODES.has(code) ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    (status === undefined && e.$fault === "server");
  const failure: AwsFailure = { code, transient };
  if (status !== undefined) failure.status = status;
  if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  return failure;
}

/** Where an error happened: the provider instance, the AWS operation and the Coffer name. */
export interface AwsErrorContext {
  /** Provider instance name. */
  provider: string;
  /** AWS operation, for example `GetSecretValue`. */
  operation: string;
  /** Coffer secret name concerned, if any. */
  name?: string;
}

function codeFor(failure: AwsFailure): ErrorCode {
  if (failure.code === "ResourceNotFoundException") return "NOT_FOUND";
  if (PERMISSION_CODES.has(failure.code) || failure.status === 401 || failure.status === 403) {
    return "PERMISSION_DENIED";
  }
  if (failure.transient) return "UNAVAILABLE";
  switch (failure.code) {
    case "ResourceExistsException":
      return "ALREADY_EXISTS";
    case "InvalidParameterException":
    case "ValidationException":
    case "MalformedPolicyDocumentException":
      return "INVALID_ARGUMENT";
    case "InvalidRequestException":
    case "PreconditionNotMetException":
      return "CONFLICT";
    case "LimitExceededException":
      return "UNAVAILABLE";
    default:
      return failure.code === "RegionMissing" ? "CONFIG" : "INTERNAL";
  }
}

/**
 * Turn an AWS failure into a CofferError. The message names the operation and AWS error code,
 * never the SDK's message text (so no request content, let alone a value, can leak through).
 */
export function toCofferErrorFromAws(err: unknown, context: AwsErrorContext, attempts = 1): CofferError {
  if (err instanceof CofferError) return err;
  const failure = describeAwsFailure(err);
  const code = codeFor(failure);
  const subject = context.name === undefined ? "" : ` for ${JSON.stringify(context.name)}`;
  const status = failure.status === undefined ? "" : `, HTTP ${failure.status}`;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
  let message = `${context.provider}: ${context.operation}${subject} failed: ${failure.code}${status}${tries}`;
  let hint: string | undefined;
  if (failure.code === "CredentialsProviderError") {
    hint =
      "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the provider's profile or credentials option";
    message = `${context.provider}: no usable AWS credentials for ${context.operation}${subject}`;
  } else if (code === "PERMISSION_DENIED") {
    hint = `check the credentials and that the IAM policy allows secretsmanager:${context.operation}`;
    message = `${context.provider}: access denied by AWS on ${context.operation}${subject} (${failure.code})`;
  } else if (code === "CONFIG") {
    hint = "set the provider's region option or AWS_REGION";
    message = `${context.provider}: no AWS region configured`;
  } else if (failure.code === "LimitExceededException") {
    hint = "an AWS Secrets Manager quota was reached (versions, tags or secrets per account)";
  }
  const details: Record<string, unknown> = { provider: context.provider, awsCode: failure.code };
  if (context.name !== undefined) details.name = context.name;
  if (failure.status !== undefined) details.httpStatus = failure.status;
  if (hint !== undefined) details.hint = hint;
  return new CofferError(code, message, details);
}
