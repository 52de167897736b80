import { createHash } from "node:crypto";
import {
  CofferError,
  DEFAULT_MAX_STALE_SECONDS,
  type LastKnownGood,
  type RememberedSecret,
  type SecretAddress,
  type StoredSecret,
  scopeKey,
} from "@coffer/core";
import type { LastKnownGoodCache } from "@coffer/provider-local";

/** Marks the entries this module writes, so a foreign or older entry is never misread. */
const ENTRY_KIND = "coffer.last-known-good.v1";

/** Largest `maxStaleSeconds` accepted: one year. */
export const MAX_STALE_SECONDS_LIMIT = 31_536_000;

/** Options of {@link localLastKnownGood}. */
export interface LocalLastKnownGoodOptions {
  /** The local store's encrypted cache (`LocalProvider.cache`). */
  cache: LastKnownGoodCache;
  /** Oldest copy served, in seconds, per provider instance name. @default {} */
  maxStaleSeconds?: Record<string, number>;
  /** Oldest copy served for providers not in `maxStaleSeconds`. @default 86400 */
  defaultMaxStaleSeconds?: number;
}

/**
 * Cache key of one state: a digest of (scope, name, env), so keys have a fixed length and the
 * cache table does not spell out secret names or project paths.
 */
export function lastKnownGoodKey(address: SecretAddress): string {
  const triple = JSON.stringify([scopeKey(address.scope), address.name, address.env ?? null]);
  return `v1:${createHash("sha256").update(triple).digest("hex")}`;
}

/** The metadata of a secret as stored next to its value (no value, no cache age). */
function metadataOf(secret: StoredSecret): Record<string, unknown> {
  const { value: _value, cachedAgeMs: _age, ...metadata } = secret;
  return structuredClone(metadata) as Record<string, unknown>;
}

function sameState(secret: StoredSecret, address: SecretAddress): boolean {
  return (
    secret.name === address.name &&
    typeof secret.scope === "object" &&
    secret.scope !== null &&
    scopeKey(secret.scope) === scopeKey(address.scope) &&
    (secret.env ?? undefined) === (address.env ?? undefined)
  );
}

/**
 * The last-known-good cache of remote reads, kept in the local store: namespace = provider
 * instance name, key = a digest of scope/name/env, and the value with its metadata sealed
 * together under the store's data key (authenticated with the namespace, key and time). Each
 * `remember` is one local write; values are never logged.
 */
export function localLastKnownGood(options: LocalLastKnownGoodOptions): LastKnownGood {
  const { cache } = options;
  const perProvider = { ...(options.maxStaleSeconds ?? {}) };
  const fallback = options.defaultMaxStaleSeconds ?? DEFAULT_MAX_STALE_SECONDS;
  return {
    async remember(provider, address, secret) {
      await cache.put(provider, lastKnownGoodKey(address), secret.value, {
        kind: ENTRY_KIND,
        secret: metadataOf(secret),
      });
    },
    async recall(provider, address): Promise<RememberedSecret | undefined> {
      const entry = await cache.get(provider, lastKnownGoodKey(address));
      if (!entry || entry.meta?.kind !== ENTRY_KIND) return undefined;
      const metadata = entry.meta.secret;
      if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) return undefined;
      const secret = { ...(metadata as Omit<StoredSecret, "value">), value: entry.value } as StoredSecret;
      // The key is a digest; the sealed metadata must name the very state asked for.
      if (!sameState(secret, address)) return undefined;
      return { secret, storedAt: entry.storedAt };
    },
    async forget(provider, address) {
      const key = lastKnownGoodKey(address);
      // A read first: misses are frequent, and a delete is a durable write even when nothing is there.
      if ((await cache.get(provider, key)) !== undefined) await cache.delete(provider, key);
    },
    maxStaleSeconds(provider) {
      return perProvider[provider] ?? fallback;
    },
  };
}

/**
 * Read and remove `maxStaleSeconds` from the options of a provider instance.
 * @throws CofferError CONFIG when it is not an integer from 0 to one year
 */
export function takeMaxStaleSeconds(
  provider: string,
  options: Record<string, unknown>,
): { maxStaleSeconds: number | undefined; options: Record<string, unknown> } {
  const { maxStaleSeconds, ...rest } = options;
  if (maxStaleSeconds === undefined) return { maxStaleSeconds: undefined, options: rest };
  if (
    typeof maxStaleSeconds !== "number" ||
    !Number.isInteger(maxStaleSeconds) ||
    maxStaleSeconds < 0 ||
    maxStaleSeconds > MAX_STALE_SECONDS_LIMIT
  ) {
    throw new CofferError(
      "CONFIG",
      `providers.${provider}.maxStaleSeconds must be a whole number of seconds from 0 to ${MAX_STALE_SECONDS_LIMIT}`,
      { field: `providers.${provider}.maxStaleSeconds`, provider },
    );
  }
  return { maxStaleSeconds, options: rest };
}
