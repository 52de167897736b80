import { randomBytes } from "node:crypto";
import { type KeyVaultSecret, SecretClient } from "@azure/keyvault-secrets";
import type { Provider } from "@coffer/core";
import { type LowkeyVault, lowkeyVaultUnavailableReason, startLowkeyVault } from "@coffer/test-emulators";
import { type AzureKeyVaultOptions, azureKeyVault, staticTokenCredential } from "../src/index.js";

/**
 * Why the Lowkey Vault-backed suites are skipped here (printed loudly), or undefined when they
 * can run. Under CI=true this is always undefined, so a missing emulator fails the suite.
 */
export const LOWKEY_SKIP_REASON = lowkeyVaultUnavailableReason();

/** A provider on `vault` with a fake token, the emulator's certificate as an extra CA and fast timings. */
export function testProvider(vault: LowkeyVault, options: Partial<AzureKeyVaultOptions> = {}): Provider {
  return azureKeyVault({
    vaultUrl: vault.vaultUrl,
    credential: staticTokenCredential(),
    extraCaCertificates: vault.caCertPem,
    disableChallengeResourceVerification: true,
    retryDelayMs: 20,
    pollIntervalMs: 50,
    ...options,
  });
}

/** The plain Azure SDK client on `url`, trusting the emulator's certificate (for interop checks). */
export function rawClient(vault: LowkeyVault, url = vault.vaultUrl): SecretClient {
  const ca = vault.caCertPem;
  return new SecretClient(url, staticTokenCredential(), {
    serviceVersion: "7.5",
    disableChallengeResourceVerification: true,
    additionalPolicies: [
      {
        position: "perCall",
        policy: {
          name: "test-ca",
          sendRequest(request, next) {
            request.tlsSettings = { ca };
            return next(request);
          },
        },
      },
    ],
  });
}

/** A name prefix unique to one test. */
export function unique(label: string): string {
  return `${label}-${randomBytes(4).toString("hex")}`;
}

/** Every version of `azureName` as the SDK sees it. */
export async function rawVersions(client: SecretClient, azureName: string) {
  const versions = [];
  for await (const properties of client.listPropertiesOfSecretVersions(azureName)) versions.push(properties);
  return versions;
}

export { type KeyVaultSecret, type LowkeyVault, startLowkeyVault };
