import { probeModuleLoads } from "@coffer/test-emulators";
import { describe, expect, it } from "vitest";

const entry = new URL("../src/index.ts", import.meta.url);

describe("lazy driver loading", () => {
  it("imports pg and the KMS SDK on first use, not when the module loads", () => {
    const importOnly = probeModuleLoads({
      entry,
      watch: "pg",
      body: `pkg.postgres({ connectionString: "postgres://u:p@127.0.0.1:9/db", masterKey: "a".repeat(64), env: {} }); console.log("constructed");`,
    });
    expect(importOnly.stderr).toBe("");
    expect(importOnly.stdout.trim()).toBe("constructed");
    expect(importOnly.loaded).toEqual([]);
    const kms = probeModuleLoads({
      entry,
      watch: "@aws-sdk/",
      body: `pkg.postgres({ connectionString: "postgres://u:p@127.0.0.1:9/db", masterKey: { kms: "aws", keyId: "alias/x" }, env: {} }); console.log("constructed");`,
    });
    expect(kms.stdout.trim()).toBe("constructed");
    expect(kms.loaded).toEqual([]);

    // The first operation loads pg; a closed port answers UNAVAILABLE without the password.
    const firstCall = probeModuleLoads({
      entry,
      watch: "pg",
      body: `const provider = pkg.postgres({ connectionString: "postgres://u:pw-sentinel-1234@127.0.0.1:9/db", masterKey: "a".repeat(64), env: {}, connectTimeoutMs: 2000 });
const error = await provider.get({ name: "A", scope: { kind: "global" } }).catch((e) => e);
console.log(JSON.stringify({ code: error.code, leaked: String(error.message).includes("pw-sentinel") }));
await provider.dispose();`,
    });
    expect(firstCall.stdout.trim()).toBe(JSON.stringify({ code: "UNAVAILABLE", leaked: false }));
    expect(firstCall.loaded).toContain("pg");
  }, 60_000);
});
