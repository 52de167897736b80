/**
 * Coffer's env provider: reads secrets from environment variables, read-only.
 *
 * ```yaml
 * # coffer.yaml
 * providers:
 *   env:
 *     priority: 10             # read after local (50): the default
 *     prefix: COFFER_SECRET_   # api-key-stripe is read from COFFER_SECRET_API_KEY_STRIPE
 *     uppercaseNames: true
 *     allowUnprefixed: false   # true: also read API_KEY_STRIPE when the prefixed one is unset
 * ```
 *
 * ```ts
 * import { env } from "@coffer/provider-env";
 * const provider = env({ prefix: "COFFER_SECRET_" });
 * const secret = await provider.get({ name: "api-key-stripe", scope: { kind: "global" } });
 * ```
 */
export { ENV_PROVIDER_CAPABILITIES, ENV_PROVIDER_READ_ONLY_MESSAGE, env } from "./env-provider.js";
export type { EnvProviderOptions } from "./env-provider-options.js";
