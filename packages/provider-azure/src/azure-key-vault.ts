/**
 * Coffer provider for Azure Key Vault.
 *
 * Example configuration (`coffer.yaml`):
 *
 * ```yaml
 * providers:
 *   azure-keyvault:
 *     vaultUrl: https://my-vault.vault.azure.net
 *     cacheTtlSeconds: 300
 *     maxRetries: 3
 * ```
 *
 * In code:
 *
 * ```ts
 * import { azureKeyVault } from "@coffer/provider-azure";
 * const provider = azureKeyVault({ vaultUrl: "https://my-vault.vault.azure.net" });
 * ```
 *
 * The Azure SDK (`@azure/keyvault-secrets`, `@azure/identity`) is loaded on the first call, so
 * merely configuring the provider costs nothing.
 */
import {
  CircuitBreaker,
  type Provider,
  type ProviderCapabilities,
  ReadCache,
  SCOPE_KINDS,
  type StoredSecret,
  toCofferError,
} from "@coffer/core";
import { deleteSecret, purgeSecret, restoreSecret } from "./operations/delete-secret.js";
import { KeyedLock } from "./operations/keyed-lock.js";
import { listSecrets, secretHistory } from "./operations/list-secrets.js";
import type { AzureProviderContext } from "./operations/provider-context.js";
import { getManySecrets, getSecret } from "./operations/read-secret.js";
import { setSecret } from "./operations/write-secret.js";
import { AZURE_KEY_VAULT_KIND, type AzureKeyVaultOptions, resolveAzureOptions } from "./options.js";
import { KeyVaultApi } from "./transport/key-vault-api.js";

/**
 * An Azure Key Vault provider. Every Coffer state (name + scope + env) is one Azure secret whose
 * name is a reversible encoding of the three (see `toAzureSecretName`); Coffer's metadata rides
 * in `coffer-*` tags; each write is a new Azure version tagged with its Coffer version number.
 * Deletes are soft (recoverable) unless purged. Reads are cached for `cacheTtlSeconds`.
 * @throws CofferError CONFIG when an option is invalid (checked here, before any call)
 */
export function azureKeyVault(options: AzureKeyVaultOptions): Provider {
  const resolved = resolveAzureOptions(options);
  const breaker = new CircuitBreaker({
    provider: resolved.name,
    service: "Azure Key Vault",
    hint: "check the vault URL, network and Azure status",
    failureThreshold: resolved.circuitBreakerThreshold,
    cooldownMs: resolved.circuitBreakerCooldownMs,
  });
  const ctx: AzureProviderContext = {
    options: resolved,
    api: new KeyVaultApi(resolved, breaker),
    cache: new ReadCache<StoredSecret>(resolved.cacheTtlSeconds * 1000),
    writeLock: new KeyedLock(),
  };

  const capabilities: ProviderCapabilities = {
    write: true,
    delete: true,
    softDelete: true,
    purge: true,
    list: true,
    versions: true,
    // Azure Key Vault has no conditional write: ifVersion and mode "create" are checked just
    // before writing (serialized within this provider instance), not atomically across processes.
    conditionalWrite: false,
    binary: true,
    metadata: true,
    envs: true,
    scopes: [...SCOPE_KINDS],
    remote: true,
  };

  return {
    name: resolved.name,
    kind: AZURE_KEY_VAULT_KIND,
    capabilities,
    get: (address, getOptions) => getSecret(ctx, address, getOptions),
    set: (address, write, setOptions) => setSecret(ctx, address, write, setOptions),
    delete: (ref, deleteOptions) => deleteSecret(ctx, ref, deleteOptions),
    restore: (ref) => restoreSecret(ctx, ref),
    purge: (ref) => purgeSecret(ctx, ref),
    list: (query) => listSecrets(ctx, query),
    history: (address) => secretHistory(ctx, address),
    getMany: (addresses) => getManySecrets(ctx, addresses),
    async health() {
      const started = Date.now();
      try {
        await ctx.api.call("health", undefined, async (s) => {
          await s.listPropertiesOfSecrets().byPage({ maxPageSize: 1 }).next();
        });
        return { ok: true, message: `${resolved.vaultUrl} answered`, latencyMs: Date.now() - started };
      } catch (err) {
        const error = toCofferError(err);
        return { ok: false, message: `${error.code}: ${error.message}`, latencyMs: Date.now() - started };
      }
    },
    async dispose() {
      ctx.cache.clear();
    },
  };
}
