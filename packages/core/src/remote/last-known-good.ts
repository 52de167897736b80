import type { SecretAddress, StoredSecret } from "../model/secret.js";

/** Default bound on the age of a last-known-good copy served for an unreachable provider: one day. */
export const DEFAULT_MAX_STALE_SECONDS = 86_400;

/** A copy kept by a {@link LastKnownGood} cache. */
export interface RememberedSecret {
  /** The secret as the provider last returned it (value included). */
  secret: StoredSecret;
  /** When the provider returned it, ISO 8601. */
  storedAt: string;
}

/**
 * Last-known-good copies of values read from remote providers, kept encrypted outside the
 * remote (the runtime keeps them in the local store). The fallback chain remembers each current
 * value a remote provider returns, and recalls it when that provider is unreachable
 * (UNAVAILABLE) or when the chain is offline -- never for NOT_FOUND or PERMISSION_DENIED.
 * Implementations must never log or expose the values.
 */
export interface LastKnownGood {
  /**
   * Keep `secret` as the last known good value of `address` in `provider`, stamped now.
   * @throws CofferError when the copy cannot be stored (the chain ignores the failure)
   */
  remember(provider: string, address: SecretAddress, secret: StoredSecret): Promise<void>;
  /**
   * The copy of `address` in `provider`, or undefined when none is kept.
   * @throws CofferError INTEGRITY when the stored copy was altered
   */
  recall(provider: string, address: SecretAddress): Promise<RememberedSecret | undefined>;
  /** Drop the copy of `address` in `provider` (no error when there is none). */
  forget?(provider: string, address: SecretAddress): Promise<void>;
  /**
   * Oldest copy, in seconds, that may be served for `provider`; 0 never serves one.
   * @default {@link DEFAULT_MAX_STALE_SECONDS}
   */
  maxStaleSeconds?(provider: string): number;
}
