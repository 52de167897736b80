/**
 * AWS Secrets Manager provider.
 *
 * ```yaml
 * # coffer.yaml
 * providers:
 *   aws-secrets-manager:
 *     priority: 90
 *     region: eu-west-1
 *     profile: prod            # or AWS_PROFILE / the default credential chain
 *     prefix: coffer/          # every AWS secret Coffer touches starts with this
 *     cacheTtlSeconds: 300
 * ```
 *
 * ```ts
 * import { awsSecretsManager } from "@coffer/provider-aws";
 * const aws = awsSecretsManager({ region: "eu-west-1", prefix: "coffer/" });
 * ```
 */
import {
  CircuitBreaker,
  type DeleteOutcome,
  type GetManyResult,
  type Page,
  type Provider,
  type ProviderCapabilities,
  type ProviderDeleteOptions,
  type ProviderGetOptions,
  type ProviderHealth,
  type ProviderListQuery,
  type ProviderSetOptions,
  ReadCache,
  type ReadCacheStats,
  type SecretAddress,
  type SecretMetadata,
  type SecretRef,
  type SecretVersionInfo,
  type SecretWrite,
  type StoredSecret,
} from "@coffer/core";
import { layoutHolds, stateAwsName } from "./naming/secret-layout.js";
import { deleteSecret, purgeSecret, restoreSecret } from "./operations/delete-secret.js";
import { listSecrets, secretHistory } from "./operations/list-secrets.js";
import { type AwsProviderContext, cacheItem } from "./operations/provider-context.js";
import { getManySecrets, getSecret } from "./operations/read-secret.js";
import { setSecret } from "./operations/write-secret.js";
import { type AwsSecretsManagerOptions, resolveAwsOptions } from "./options.js";
import { SecretsManagerApi } from "./transport/secrets-manager-api.js";

/** Provider kind of AWS Secrets Manager instances. */
export const AWS_SECRETS_MANAGER_KIND = "aws-secrets-manager";

/** What this provider can do (see docs/providers/aws.md for the exact semantics). */
export const AWS_CAPABILITIES: ProviderCapabilities = Object.freeze({
  write: true,
  delete: true,
  softDelete: true,
  purge: true,
  list: true,
  versions: true,
  // Among Coffer writers, deterministic ClientRequestTokens make AWS itself refuse the second
  // writer of a version number; writers outside Coffer are not covered (documented).
  conditionalWrite: true,
  binary: true,
  metadata: true,
  envs: true,
  scopes: Object.freeze(["global", "project", "team", "org", "user", "agent", "plugin"] as const),
  remote: true,
});

/** The AWS provider: every optional method of {@link Provider}, plus cache inspection. */
export interface AwsSecretsManagerProvider extends Provider {
  /** Read the current (or a given) version. @throws CofferError NOT_FOUND, EXPIRED, PERMISSION_DENIED, UNAVAILABLE */
  get(address: SecretAddress, options?: ProviderGetOptions): Promise<StoredSecret>;
  /** Write a new version. @throws CofferError CONFLICT, ALREADY_EXISTS, INVALID_ARGUMENT, TOO_LARGE */
  set(address: SecretAddress, write: SecretWrite, options?: ProviderSetOptions): Promise<SecretMetadata>;
  /** Delete every state (recoverable unless purge). @throws CofferError NOT_FOUND */
  delete(ref: SecretRef, options?: ProviderDeleteOptions): Promise<DeleteOutcome>;
  /** Restore a deleted secret. @throws CofferError NOT_FOUND */
  restore(ref: SecretRef): Promise<{ versionsRestored: number }>;
  /** Delete irrecoverably. @throws CofferError NOT_FOUND */
  purge(ref: SecretRef): Promise<{ versionsDeleted: number }>;
  /** List current metadata. */
  list(query?: ProviderListQuery): Promise<Page<SecretMetadata>>;
  /** Version history, newest first. @throws CofferError NOT_FOUND */
  history(address: SecretAddress): Promise<SecretVersionInfo[]>;
  /** Read many current versions (BatchGetSecretValue, 20 per call). */
  getMany(addresses: SecretAddress[]): Promise<GetManyResult[]>;
  /** One cheap ListSecrets call. */
  health(): Promise<ProviderHealth>;
  /** Close connections and drop the cache. */
  dispose(): Promise<void>;
  /**
   * Age in milliseconds of the cached read of `address` (current or `version`), or undefined when
   * it is not cached: the provenance age of what `get` would return now.
   */
  cacheAgeMs(address: SecretAddress, version?: number): number | undefined;
  /** Cache hit and miss counters. */
  cacheStats(): ReadCacheStats;
  /** Forget every cached read. */
  clearCache(): void;
}

/**
 * Create an AWS Secrets Manager provider. Nothing is loaded or called until the first operation
 * (the AWS SDK is imported lazily then).
 * @throws CofferError CONFIG for invalid options.
 */
export function awsSecretsManager(options: AwsSecretsManagerOptions = {}): AwsSecretsManagerProvider {
  const resolved = resolveAwsOptions(options);
  const breaker = new CircuitBreaker({
    provider: resolved.name,
    service: "AWS Secrets Manager",
    failureThreshold: resolved.circuitBreakerThreshold,
    cooldownMs: resolved.circuitBreakerCooldownMs,
    hint: "check the endpoint, the network and the AWS Health Dashboard",
  });
  const ctx: AwsProviderContext = {
    options: resolved,
    api: new SecretsManagerApi(resolved, breaker),
    cache: new ReadCache<StoredSecret>(resolved.cacheTtlSeconds * 1000),
  };
  return {
    name: resolved.name,
    kind: AWS_SECRETS_MANAGER_KIND,
    capabilities: AWS_CAPABILITIES,
    get: (address, getOptions) => getSecret(ctx, address, getOptions),
    set: (address, write, setOptions) => setSecret(ctx, address, write, setOptions),
    delete: (ref, deleteOptions) => deleteSecret(ctx, ref, deleteOptions),
    restore: (ref) => restoreSecret(ctx, ref),
    purge: (ref) => purgeSecret(ctx, ref),
    list: (query) => listSecrets(ctx, query),
    history: (address) => secretHistory(ctx, address),
    getMany: (addresses) => getManySecrets(ctx, addresses),
    async health() {
      const started = performance.now();
      try {
        await ctx.api.call(
          "ListSecrets",
          {
            MaxResults: 1,
            ...(resolved.prefix === "" ? {} : { Filters: [{ Key: "name", Values: [resolved.prefix] }] }),
          },
          { retries: 0 },
        );
        return {
          ok: true,
          message: "AWS Secrets Manager answered",
          latencyMs: Math.round(performance.now() - started),
        };
      } catch (err) {
        const message = err instanceof Error ? err.message : "AWS Secrets Manager health check failed";
        return { ok: false, message, latencyMs: Math.round(performance.now() - started) };
      }
    },
    async dispose() {
      ctx.cache.clear();
      await ctx.api.destroy();
    },
    cacheAgeMs(address, version) {
      if (!layoutHolds(resolved, address)) return undefined;
      return ctx.cache.peek(stateAwsName(resolved, address), cacheItem(version))?.ageMs;
    },
    cacheStats: () => ctx.cache.stats(),
    clearCache: () => ctx.cache.clear(),
  };
}
