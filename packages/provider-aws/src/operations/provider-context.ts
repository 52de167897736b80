import { CofferError, quoteName, type ReadCache, type SecretAddress, type StoredSecret } from "@coffer/core";
import type { ResolvedAwsOptions } from "../options.js";
import type { SecretsManagerApi } from "../transport/secrets-manager-api.js";

/** What every operation of one provider instance shares. */
export interface AwsProviderContext {
  /** Resolved options. */
  options: ResolvedAwsOptions;
  /** The AWS door (retries, timeouts, breaker). */
  api: SecretsManagerApi;
  /** Cache of reads, grouped by AWS secret name. */
  cache: ReadCache<StoredSecret>;
}

/** What a miss of a state the flat layout cannot hold adds to its message. */
export const FLAT_LAYOUT_MISS = " (the flat layout holds only global secrets without env states)";

/** Cache item of one read within its AWS secret's group: `current` or `v<N>`. */
export function cacheItem(version?: number): string {
  return version === undefined ? "current" : `v${version}`;
}

/** Human label of a state: `"NAME"` or `"NAME" (env prod)`. */
export function stateLabel(address: Pick<SecretAddress, "name" | "env">): string {
  return address.env === undefined ? quoteName(address.name) : `${quoteName(address.name)} (env ${address.env})`;
}

/** The NOT_FOUND error of a state or one of its versions. */
export function notFound(
  ctx: AwsProviderContext,
  address: Pick<SecretAddress, "name" | "env">,
  what = "",
): CofferError {
  return new CofferError("NOT_FOUND", `secret ${stateLabel(address)}${what} not found in ${ctx.options.name}`, {
    name: address.name,
    provider: ctx.options.name,
  });
}

/**
 * Copy of a stored secret, so callers can never change what the cache holds; `cachedAgeMs` is
 * set when the copy is answered from the cache.
 */
export function copySecret(secret: StoredSecret, cachedAgeMs?: number): StoredSecret {
  const copy: StoredSecret = { ...secret, scope: { ...secret.scope } };
  if (secret.tags) copy.tags = [...secret.tags];
  if (secret.allowedAgentIds) copy.allowedAgentIds = [...secret.allowedAgentIds];
  if (cachedAgeMs !== undefined) copy.cachedAgeMs = cachedAgeMs;
  return copy;
}

/** True when `err` is a CofferError with `code`. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof CofferError && err.code === code;
}
