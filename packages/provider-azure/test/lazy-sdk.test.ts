import { freePort, probeModuleLoads } from "@coffer/test-emulators";
import { describe, expect, it } from "vitest";

const entry = new URL("../src/index.ts", import.meta.url);

describe("lazy loading of the Azure SDK", () => {
  it("loads @azure/keyvault-secrets and @azure/identity on the first call, not on import or construction", async () => {
    const constructOnly = probeModuleLoads({
      entry,
      watch: "@azure/",
      body: `pkg.azureKeyVault({ vaultUrl: "https://example.vault.azure.net" }); console.log("constructed");`,
    });
    expect(constructOnly.stdout).toContain("constructed");
    expect(constructOnly.loaded).toEqual([]);

    // Nothing listens there: the call fails with UNAVAILABLE before any token is requested.
    const port = await freePort();
    const firstCall = probeModuleLoads({
      entry,
      watch: "@azure/",
      body: `const p = pkg.azureKeyVault({ vaultUrl: "https://127.0.0.1:${port}", maxRetries: 0 });
const err = await p.get({ name: "X", scope: { kind: "global" } }).catch((e) => e);
console.log(JSON.stringify({ code: err.code }));`,
    });
    expect(firstCall.stdout).toContain('{"code":"UNAVAILABLE"}');
    expect(firstCall.loaded).toContain("@azure/keyvault-secrets");
    expect(firstCall.loaded).toContain("@azure/identity");
  }, 60_000);
});
