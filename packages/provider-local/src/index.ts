/**
 * `@coffer/provider-local`: Coffer's zero-config default provider, an embedded encrypted store.
 *
 * @example
 * ```ts
 * import { local } from "@coffer/provider-local";
 *
 * // Store in $COFFER_HOME (or the platform data dir); key from COFFER_MASTER_KEY or master.key.
 * const store = local({ historyLimit: 20 });
 * await store.set({ name: "STRIPE_KEY", scope: { kind: "global" } }, { value: "sk_live_..." });
 * const secret = await store.get({ name: "STRIPE_KEY", scope: { kind: "global" } });
 * await store.dispose();
 * ```
 */
export type { CachedValue, LastKnownGoodCache } from "./cache/last-known-good-cache.js";
export type { IntegrityReport } from "./integrity/verify-store-integrity.js";
export { LOCAL_CAPABILITIES, type LocalProvider, local } from "./local-provider.js";
export { type LocalProviderOptions, resolveCofferHome } from "./local-provider-options.js";
