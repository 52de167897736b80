import { rootCertificates } from "node:tls";
import type { SecretClientOptions } from "@azure/keyvault-secrets";
import { backoffSleep, parseRetryAfter, retryDelayMs } from "@coffer/core";

/** A pipeline policy of the Azure SDK (type taken from the secrets client, which is loaded lazily). */
export type AzurePipelinePolicy = NonNullable<SecretClientOptions["additionalPolicies"]>[number]["policy"];
type SendRequest = AzurePipelinePolicy["sendRequest"];
type PipelineRequest = Parameters<SendRequest>[0];
type PipelineResponse = Awaited<ReturnType<SendRequest>>;

/** Thrown by the retry policy when one HTTP attempt took longer than its time limit. */
export class AzureRequestTimeoutError extends Error {
  constructor(
    /** Limit of one attempt, in milliseconds. */
    readonly timeoutMs: number,
    /** Attempts made. */
    readonly attempts: number,
  ) {
    super(`Azure Key Vault did not answer within ${timeoutMs} ms (${attempts} attempt${attempts === 1 ? "" : "s"})`);
    this.name = "AzureRequestTimeoutError";
  }
}

/** Settings of {@link cofferRetryPolicy}. */
export interface RetrySettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Base delay of the exponential backoff, in milliseconds. */
  retryDelayMs: number;
  /** Longest backoff delay, in milliseconds. */
  maxRetryDelayMs: number;
  /** Longest `Retry-After` honoured; a longer one ends the retries at once. */
  maxRetryAfterMs: number;
  /** Time limit of one HTTP attempt, in milliseconds. */
  attemptTimeoutMs: number;
}

/** Network error codes worth another attempt. */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "REQUEST_SEND_ERROR",
]);

/** True for HTTP statuses worth another attempt: 408, 429 and 5xx except 501 and 505. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Milliseconds a response asks to wait (`retry-after-ms`, `x-ms-retry-after-ms`, `Retry-After`). */
export function retryAfterMs(response: { headers: { get(name: string): string | undefined } }): number | undefined {
  for (const header of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const raw = response.headers.get(header);
    const value = Number(raw);
    if (raw !== undefined && raw.trim() !== "" && Number.isFinite(value) && value >= 0) return value;
  }
  return parseRetryAfter(response.headers.get("retry-after"));
}

function errorCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string"
    ? (err as { code: string }).code
    : undefined;
}

/**
 * Retries transient failures (network errors, attempt time-outs, 408, 429, 5xx) with Coffer's
 * shared backoff (exponential, full jitter), honouring `Retry-After` up to `maxRetryAfterMs`, and
 * limits each attempt to `attemptTimeoutMs`. Replaces the SDK's own retry policy (created
 * with `maxRetries: 0`), which neither retries time-outs nor 429 without `Retry-After`.
 */
export function cofferRetryPolicy(settings: RetrySettings, random: () => number = Math.random): AzurePipelinePolicy {
  const backoff = {
    baseDelayMs: settings.retryDelayMs,
    maxDelayMs: settings.maxRetryDelayMs,
    maxRetryAfterMs: settings.maxRetryAfterMs,
  };
  return {
    name: "cofferRetryPolicy",
    async sendRequest(request: PipelineRequest, next): Promise<PipelineResponse> {
      for (let attempt = 0; ; attempt++) {
        request.timeout = settings.attemptTimeoutMs;
        let response: PipelineResponse | undefined;
        let error: unknown;
        try {
          response = await next(request);
        } catch (err) {
          error = err;
        }
        if (request.abortSignal?.aborted) throw error ?? new Error("the request was aborted");
        let transient: boolean;
        let wait: number | undefined;
        if (error !== undefined) {
          const timedOut = (error as { name?: unknown }).name === "AbortError";
          if (timedOut) error = new AzureRequestTimeoutError(settings.attemptTimeoutMs, attempt + 1);
          transient = timedOut || TRANSIENT_CODES.has(errorCode(error) ?? "");
        } else {
          transient = isTransientStatus(response!.status);
          wait = transient ? retryAfterMs(response!) : undefined;
        }
        if (!transient || attempt >= settings.maxRetries || (wait !== undefined && wait > settings.maxRetryAfterMs)) {
          if (error !== undefined) throw error;
          return response!;
        }
        await backoffSleep(retryDelayMs(backoff, attempt, wait, random), request.abortSignal);
      }
    },
  };
}

/**
 * Makes every request trust Node's default CAs plus `extraCas` (PEM), for vaults behind a private
 * CA or emulators with self-signed certificates. TLS verification stays on.
 */
export function extraCaPolicy(extraCas: readonly string[]): AzurePipelinePolicy {
  const tlsSettings = { ca: [...rootCertificates, ...extraCas] };
  return {
    name: "cofferExtraCaPolicy",
    sendRequest(request: PipelineRequest, next) {
      request.tlsSettings = tlsSettings;
      return next(request);
    },
  };
}
