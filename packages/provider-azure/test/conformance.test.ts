import { describeProviderConformance } from "@coffer/provider-conformance";
import { afterAll, beforeAll, describe } from "vitest";
import { LOWKEY_SKIP_REASON, type LowkeyVault, startLowkeyVault, testProvider } from "./lowkey-test-setup.js";

describe.skipIf(LOWKEY_SKIP_REASON !== undefined)("azure-keyvault against Lowkey Vault", () => {
  let vault: LowkeyVault | undefined;
  beforeAll(async () => {
    vault = await startLowkeyVault();
  });
  afterAll(async () => {
    await vault?.stop();
  });

  describeProviderConformance(
    "azure-keyvault",
    async () => {
      if (!vault) throw new Error("Lowkey Vault did not start");
      return { provider: testProvider(vault) };
    },
    // Azure Key Vault stores at most 25 KiB per secret: a 64 KiB write is refused with TOO_LARGE,
    // which the suite checks instead.
    { skip: ["large-value"] },
  );
});
