import { probeModuleLoads } from "@coffer/test-emulators";
import { describe, expect, it } from "vitest";

const entry = new URL("../src/index.ts", import.meta.url);

describe("lazy SDK loading", () => {
  it("imports @aws-sdk/client-secrets-manager on the first call, not when the module loads", () => {
    // Phase 1: import and construct only.
    const importOnly = probeModuleLoads({
      entry,
      watch: "@aws-sdk/",
      body: `pkg.awsSecretsManager({ region: "us-east-1" }); console.log("constructed");`,
    });
    expect(importOnly.stderr).toBe("");
    expect(importOnly.stdout.trim()).toBe("constructed");
    expect(importOnly.loaded).toEqual([]);

    // Phase 2: the first operation loads the SDK (and a closed port is UNAVAILABLE, not NOT_FOUND).
    const firstCall = probeModuleLoads({
      entry,
      watch: "@aws-sdk/",
      body: `const provider = pkg.awsSecretsManager({ region: "us-east-1", endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxRetries: 0, timeoutMs: 2000 });
const error = await provider.get({ name: "A", scope: { kind: "global" } }).catch((e) => e);
console.log(JSON.stringify({ code: error.code }));
await provider.dispose();`,
    });
    expect(firstCall.stdout.trim()).toBe(JSON.stringify({ code: "UNAVAILABLE" }));
    expect(firstCall.loaded).toContain("@aws-sdk/client-secrets-manager");
  }, 60_000);
});
