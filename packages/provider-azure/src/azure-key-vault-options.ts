import type { SecretClient } from "@azure/keyvault-secrets";

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
