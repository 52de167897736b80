import type { SecretClient } from "@azure/keyvault-secrets";
import { CofferError, checkProviderOptionNames, type OptionNames } from "@coffer/core";
import { validateNamePrefix } from "./naming/azure-secret-name.js";
import { AZURE_LAYOUTS, type AzureLayout } from "./naming/secret-layout.js";

/** Kind of this provider (and default instance name). */
export const AZURE_KEY_VAULT_KIND = "azure-keyvault";

/** An Azure credential (`TokenCredential` of `@azure/core-auth`), for example from `@azure/identity`. */
export type AzureTokenCredential = ConstructorParameters<typeof SecretClient>[1];

/** Key Vault REST API versions the provider can speak (Lowkey Vault 3.x serves 7.2-7.6). */
export type AzureKeyVaultServiceVersion = "7.4" | "7.5" | "7.6";

/** Options of {@link azureKeyVault}. */
export interface AzureKeyVaultOptions {
  /** Instance name shown in provenance and errors. @default "azure-keyvault" */
  name?: string;
  /** Vault URL, for example `https://my-vault.vault.azure.net`. */
  vaultUrl: string;
  /**
   * Credential for every call. @default `DefaultAzureCredential` of `@azure/identity` (environment,
   * workload identity, managed identity, Azure CLI...), configured with `tenantId` and `clientId`
   */
  credential?: AzureTokenCredential;
  /** Tenant of the default credential. @default the credential's own default */
  tenantId?: string;
  /** Client id of a user-assigned managed or workload identity, for the default credential. @default none */
  clientId?: string;
  /** How long reads are served from memory, in seconds; 0 turns the cache off. @default 300 */
  cacheTtlSeconds?: number;
  /** Retries of a transient failure (network, time-out, 408, 429, 5xx) after the first attempt. @default 3 */
  maxRetries?: number;
  /** Base delay of the exponential backoff between retries, in milliseconds (full jitter). @default 500 */
  retryDelayMs?: number;
  /** Time limit of one HTTP attempt, in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Key Vault REST API version. @default "7.5" */
  serviceVersion?: AzureKeyVaultServiceVersion;
  /**
   * Skip the check that the authentication challenge's resource matches the vault's domain.
   * Needed for emulators on `localhost`; leave off for real vaults. @default false
   */
  disableChallengeResourceVerification?: boolean;
  /**
   * Prefix of every Azure secret name this provider writes and reads (lower-case letters, digits,
   * `-`; at most 48 characters), so Coffer can share a vault with other applications. @default ""
   */
  prefix?: string;
  /**
   * How names map to Azure: `scoped` (a reversible encoding, every scope and env state: `API_KEY`
   * is `--capi--ukey`) or `flat` (`<prefix>NAME` verbatim: the secrets other tools made, as they
   * are; only global secrets without env states, names of letters, digits and `-`). @default "scoped"
   */
  layout?: AzureLayout;
  /**
   * Extra CA certificates trusted for the vault's TLS certificate, in addition to Node's own:
   * PEM text or paths of PEM files (for a private CA or an emulator's self-signed certificate).
   * TLS verification is never turned off. @default none
   */
  extraCaCertificates?: string | readonly string[];
  /** Interval between polls while a delete or recover completes, in milliseconds. @default 1000 */
  pollIntervalMs?: number;
  /** Reads (getMany) and version look-ups (list) sent at once. @default 8 */
  maxConcurrency?: number;
  /** Consecutive UNAVAILABLE failures that open the circuit breaker; 0 disables it. @default 5 */
  circuitBreakerThreshold?: number;
  /** How long an open circuit refuses calls before trying again, in milliseconds. @default 30000 */
  circuitBreakerCooldownMs?: number;
}

/** Every option of {@link AzureKeyVaultOptions} (the compiler checks the list is complete). */
const AZURE_OPTION_NAMES: OptionNames<AzureKeyVaultOptions> = {
  name: true,
  vaultUrl: true,
  credential: true,
  tenantId: true,
  clientId: true,
  cacheTtlSeconds: true,
  maxRetries: true,
  retryDelayMs: true,
  timeoutMs: true,
  serviceVersion: true,
  disableChallengeResourceVerification: true,
  prefix: true,
  layout: true,
  extraCaCertificates: true,
  pollIntervalMs: true,
  maxConcurrency: true,
  circuitBreakerThreshold: true,
  circuitBreakerCooldownMs: true,
};

/** {@link AzureKeyVaultOptions} with defaults applied and every field checked. */
export interface ResolvedAzureOptions {
  /** Instance name. */
  name: string;
  /** Vault origin and path, without a trailing slash. */
  vaultUrl: string;
  /** Checked Azure name prefix. */
  prefix: string;
  /** See {@link AzureKeyVaultOptions.layout}. */
  layout: AzureLayout;
  /** Explicit credential, when given. */
  credential?: AzureTokenCredential;
  /** Tenant of the default credential. */
  tenantId?: string;
  /** Client id of the default credential. */
  clientId?: string;
  /** Read cache lifetime, in seconds. */
  cacheTtlSeconds: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Base backoff delay, in milliseconds. */
  retryDelayMs: number;
  /** Time limit of one attempt, in milliseconds. */
  timeoutMs: number;
  /** Interval between polls of a delete or recover, in milliseconds. */
  pollIntervalMs: number;
  /** Calls sent at once by getMany and list. */
  maxConcurrency: number;
  /** Key Vault REST API version. */
  serviceVersion: AzureKeyVaultServiceVersion;
  /** Extra CA certificates: PEM text or file paths. */
  extraCaCertificates: string[];
  /** Whether the challenge resource check is skipped. */
  disableChallengeResourceVerification: boolean;
  /** Failures that open the circuit breaker (0: never). */
  circuitBreakerThreshold: number;
  /** How long an open circuit refuses calls, in milliseconds. */
  circuitBreakerCooldownMs: number;
}

function nonNegativeInteger(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new CofferError("CONFIG", `azure-keyvault option ${field} must be an integer >= 0`, { field });
  }
  return value;
}

function positiveInteger(value: unknown, field: string, fallback: number): number {
  const n = nonNegativeInteger(value, field, fallback);
  if (n === 0) throw new CofferError("CONFIG", `azure-keyvault option ${field} must be at least 1`, { field });
  return n;
}

function checkVaultUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== "https:" || url.search !== "" || url.hash !== "") {
    throw new CofferError(
      "CONFIG",
      "azure-keyvault option vaultUrl must be an https URL such as https://my-vault.vault.azure.net",
      { field: "vaultUrl" },
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, "");
}

/**
 * Apply defaults and validate the options, before any call.
 * @throws CofferError CONFIG naming the offending field
 */
export function resolveAzureOptions(options: AzureKeyVaultOptions): ResolvedAzureOptions {
  if (options === null || typeof options !== "object") {
    throw new CofferError("CONFIG", "azure-keyvault needs options with a vaultUrl", { field: "vaultUrl" });
  }
  checkProviderOptionNames(AZURE_KEY_VAULT_KIND, options, AZURE_OPTION_NAMES);
  const vaultUrl = checkVaultUrl(options.vaultUrl);
  const name = options.name ?? AZURE_KEY_VAULT_KIND;
  if (typeof name !== "string" || name.length === 0) {
    throw new CofferError("CONFIG", "azure-keyvault option name must be a non-empty string", { field: "name" });
  }
  const prefix = validateNamePrefix(options.prefix ?? "");
  const layout = options.layout ?? "scoped";
  if (!AZURE_LAYOUTS.includes(layout)) {
    throw new CofferError("CONFIG", `azure-keyvault option layout must be one of: ${AZURE_LAYOUTS.join(", ")}`, {
      field: "layout",
    });
  }
  const cacheTtlSeconds = nonNegativeInteger(options.cacheTtlSeconds, "cacheTtlSeconds", 300);
  const maxRetries = nonNegativeInteger(options.maxRetries, "maxRetries", 3);
  const retryDelayMs = nonNegativeInteger(options.retryDelayMs, "retryDelayMs", 500);
  const timeoutMs = positiveInteger(options.timeoutMs, "timeoutMs", 10_000);
  const pollIntervalMs = positiveInteger(options.pollIntervalMs, "pollIntervalMs", 1_000);
  const maxConcurrency = positiveInteger(options.maxConcurrency, "maxConcurrency", 8);
  const serviceVersion = options.serviceVersion ?? "7.5";
  if (!["7.4", "7.5", "7.6"].includes(serviceVersion)) {
    throw new CofferError("CONFIG", 'azure-keyvault option serviceVersion must be "7.4", "7.5" or "7.6"', {
      field: "serviceVersion",
    });
  }
  const extraCaCertificates =
    options.extraCaCertificates === undefined
      ? []
      : typeof options.extraCaCertificates === "string"
        ? [options.extraCaCertificates]
        : [...options.extraCaCertificates];
  if (!extraCaCertificates.every((ca) => typeof ca === "string" && ca.length > 0)) {
    throw new CofferError("CONFIG", "azure-keyvault option extraCaCertificates must be PEM text or file paths", {
      field: "extraCaCertificates",
    });
  }
  return {
    name,
    vaultUrl,
    prefix,
    layout,
    ...(options.credential === undefined ? {} : { credential: options.credential }),
    ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }),
    ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
    cacheTtlSeconds,
    maxRetries,
    retryDelayMs,
    timeoutMs,
    pollIntervalMs,
    maxConcurrency,
    serviceVersion,
    extraCaCertificates,
    disableChallengeResourceVerification: options.disableChallengeResourceVerification === true,
    circuitBreakerThreshold: nonNegativeInteger(options.circuitBreakerThreshold, "circuitBreakerThreshold", 5),
    circuitBreakerCooldownMs: nonNegativeInteger(options.circuitBreakerCooldownMs, "circuitBreakerCooldownMs", 30_000),
  };
}
