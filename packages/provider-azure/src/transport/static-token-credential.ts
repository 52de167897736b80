import type { AzureTokenCredential } from "../options.js";

/**
 * A credential that always returns the same bearer token, for Azure Key Vault emulators such as
 * Lowkey Vault, which accept any token. Never use it against a real vault: Azure rejects it
 * with 401 (PERMISSION_DENIED).
 */
export function staticTokenCredential(token = "coffer-emulator-token"): AzureTokenCredential {
  return {
    async getToken() {
      return { token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000, tokenType: "Bearer" };
    },
  };
}
