import { CofferError, type ErrorCode, quoteName } from "@coffer/core";
import { AzureRequestTimeoutError } from "./pipeline-policies.js";

/** Coffer operations, named as in error messages and RBAC hints. */
export type AzureOperation = "get" | "set" | "delete" | "restore" | "purge" | "list" | "history" | "health";

/** Built-in Azure role (RBAC) and access-policy permission each operation needs. */
export const REQUIRED_PERMISSION: Record<AzureOperation, string> = {
  get: 'role "Key Vault Secrets User" (access policy: secrets get, list)',
  history: 'role "Key Vault Secrets User" (access policy: secrets list)',
  list: 'role "Key Vault Secrets User" (access policy: secrets list)',
  health: 'role "Key Vault Secrets User" (access policy: secrets list)',
  set: 'role "Key Vault Secrets Officer" (access policy: secrets get, set)',
  delete: 'role "Key Vault Secrets Officer" (access policy: secrets list, delete; purge for --purge)',
  restore: 'role "Key Vault Secrets Officer" (access policy: secrets list, recover)',
  purge: 'role "Key Vault Secrets Officer" (access policy: secrets list, delete, purge)',
};

/** Where an error happened, for its message and details (never a value). */
export interface AzureErrorContext {
  /** The Coffer operation. */
  operation: AzureOperation;
  /** Provider instance name. */
  provider: string;
  /** Vault URL. */
  vaultUrl: string;
  /** Coffer secret name concerned. */
  name?: string;
  /** Values that must never show in a message (the value being written). */
  redact?: readonly string[];
}

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

interface RestErrorLike {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  details?: unknown;
  response?: { headers?: { get?(name: string): string | undefined } };
}

/** The Azure error code and message in a Key Vault error body, when present. */
function serviceError(err: RestErrorLike): { code?: string; message?: string } {
  const details = err.details as { error?: { code?: unknown; message?: unknown } } | undefined;
  const code = typeof details?.error?.code === "string" ? details.error.code : err.code;
  const message = typeof details?.error?.message === "string" ? details.error.message : undefined;
  return { code, message };
}

/** Service text made safe to show: bounded, single line, and never containing a redacted value. */
function safeText(text: string | undefined, redact: readonly string[] = []): string | undefined {
  if (text === undefined) return undefined;
  let out = text.replace(/\s+/g, " ").trim();
  for (const secret of redact)
    if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join("[redacted]");
  return out.length > 240 ? `${out.slice(0, 240)}…` : out;
}

function subject(ctx: AzureErrorContext): string {
  return ctx.name === undefined ? `vault ${ctx.vaultUrl}` : `secret ${quoteName(ctx.name)} in ${ctx.vaultUrl}`;
}

/**
 * Translate anything the Azure SDK (or the credential) throws into a CofferError. 404 is
 * NOT_FOUND; 401/403 are PERMISSION_DENIED (never a miss); 409 CONFLICT; 429, 5xx, time-outs and
 * network failures UNAVAILABLE; a missing credential CONFIG; anything unknown INTERNAL.
 * Messages carry the HTTP status and Azure error code, never a value.
 */
export function toCofferErrorFromAzure(err: unknown, ctx: AzureErrorContext): CofferError {
  if (err instanceof CofferError) return err;
  const base = { provider: ctx.provider, ...(ctx.name === undefined ? {} : { name: ctx.name }) };
  const make = (code: ErrorCode, message: string, details: Record<string, unknown> = {}) =>
    new CofferError(code, message, { ...base, ...details }, { cause: err });

  if (err instanceof AzureRequestTimeoutError) {
    return make("UNAVAILABLE", `Azure Key Vault ${ctx.operation} of ${subject(ctx)} timed out: ${err.message}`, {
      timeoutMs: err.timeoutMs,
    });
  }
  if (typeof err !== "object" || err === null) {
    return make("INTERNAL", `Azure Key Vault ${ctx.operation} failed unexpectedly`);
  }
  const e = err as RestErrorLike;
  if (e.name === "AbortError") {
    return make("UNAVAILABLE", `Azure Key Vault ${ctx.operation} of ${subject(ctx)} was aborted before an answer came`);
  }
  if (e.name === "CredentialUnavailableError") {
    return make(
      "CONFIG",
      `no Azure credential is available for ${ctx.vaultUrl}: ${safeText(e.message) ?? "unknown reason"}`,
      {
        hint: "sign in with `az login`, set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, or use a managed identity",
      },
    );
  }
  if (
    e.name === "AuthenticationError" ||
    e.name === "AggregateAuthenticationError" ||
    e.name === "AuthenticationRequiredError"
  ) {
    return make(
      "PERMISSION_DENIED",
      `Azure rejected the credential used for ${ctx.vaultUrl}: ${safeText(e.message) ?? "authentication failed"}`,
      { rule: "azure-authentication" },
    );
  }
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  const service = serviceError(e);
  const said = safeText(service.message, ctx.redact);
  const what = `${status === undefined ? "" : `HTTP ${status}`}${service.code ? ` ${service.code}` : ""}`.trim();
  const reason = `${what}${said ? `: ${said}` : ""}`;
  if (status !== undefined) {
    const details = { status, ...(service.code === undefined ? {} : { azureCode: service.code }) };
    if (status === 404) return make("NOT_FOUND", `${subject(ctx)} was not found (${what})`, details);
    if (status === 401 || status === 403) {
      return make("PERMISSION_DENIED", `Azure Key Vault denied ${ctx.operation} of ${subject(ctx)} (${reason})`, {
        ...details,
        hint: `the identity needs ${REQUIRED_PERMISSION[ctx.operation]} on the vault`,
      });
    }
    if (status === 409)
      return make("CONFLICT", `Azure Key Vault refused ${ctx.operation} of ${subject(ctx)} (${reason})`, details);
    if (status === 413)
      return make(
        "TOO_LARGE",
        `Azure Key Vault refused ${ctx.operation} of ${subject(ctx)}: too large (${what})`,
        details,
      );
    if (status === 400)
      return make(
        "INVALID_ARGUMENT",
        `Azure Key Vault refused ${ctx.operation} of ${subject(ctx)} (${reason})`,
        details,
      );
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfter = e.response?.headers?.get?.("retry-after");
      return make(
        "UNAVAILABLE",
        `Azure Key Vault could not ${ctx.operation} ${subject(ctx)} (${reason}), even after retries`,
        {
          ...details,
          ...(retryAfter === undefined ? {} : { retryAfter }),
        },
      );
    }
    return make(
      "INTERNAL",
      `Azure Key Vault answered ${ctx.operation} of ${subject(ctx)} unexpectedly (${reason})`,
      details,
    );
  }
  const code = e.code;
  if (code !== undefined && TLS_CODES.has(code)) {
    return make("UNAVAILABLE", `the TLS certificate of ${ctx.vaultUrl} is not trusted (${code})`, {
      networkCode: code,
      hint: "for a private CA or an emulator, pass its certificate in the extraCaCertificates option (or NODE_EXTRA_CA_CERTS)",
    });
  }
  if (e.name === "RestError" || (code !== undefined && /^E[A-Z_]+$|^REQUEST_SEND_ERROR$/.test(code))) {
    return make("UNAVAILABLE", `Azure Key Vault at ${ctx.vaultUrl} could not be reached (${code ?? "network error"})`, {
      networkCode: code,
    });
  }
  return make("INTERNAL", `Azure Key Vault ${ctx.operation} failed unexpectedly (${e.name ?? "error"})`);
}
