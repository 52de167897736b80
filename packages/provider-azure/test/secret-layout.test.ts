import { isCofferError, type ScopeRef } from "@coffer/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { azureKeyVault } from "../src/index.js";
import { toAzureSecretName } from "../src/naming/azure-secret-name.js";
import { flatAzureName, flatNameOf, layoutHolds } from "../src/naming/secret-layout.js";

// The flat layout's mapping (the Lowkey Vault suite runs it against a vault in CI).

const global: ScopeRef = { kind: "global" };

function codeOf(run: () => unknown): string {
  try {
    run();
    return "ok";
  } catch (err) {
    return isCofferError(err) ? err.code : "not a CofferError";
  }
}

describe("flat layout", () => {
  it("is the prefix and the name, verbatim, and reads back to the same name", () => {
    expect(flatAzureName("azure", "", { name: "prod-db-password", scope: global })).toBe("prod-db-password");
    expect(flatAzureName("azure", "app-", { name: "MySecret", scope: global })).toBe("app-MySecret");
    expect(flatNameOf("app-", "app-MySecret")).toBe("MySecret");
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z][0-9A-Za-z-]{0,60}$/),
        fc.stringMatching(/^[0-9a-z-]{0,20}$/),
        (name, prefix) => {
          expect(flatNameOf(prefix, flatAzureName("azure", prefix, { name, scope: global }))).toBe(name);
        },
      ),
    );
  });

  it("refuses scoped and env states with UNSUPPORTED naming the layout, and names Azure cannot hold with INVALID_ARGUMENT", () => {
    expect(codeOf(() => flatAzureName("azure", "", { name: "X", scope: { kind: "team", id: "acme" } }))).toBe(
      "UNSUPPORTED",
    );
    expect(codeOf(() => flatAzureName("azure", "", { name: "X", scope: global, env: "prod" }))).toBe("UNSUPPORTED");
    try {
      flatAzureName("azure", "", { name: "X", scope: global, env: "prod" });
    } catch (err) {
      expect((err as Error).message).toMatch(/flat layout/);
    }
    for (const name of ["api_key", "prod/db/password", "a.b", "1abc", "x".repeat(128)]) {
      expect(
        codeOf(() => flatAzureName("azure", "", { name, scope: global })),
        name,
      ).toBe("INVALID_ARGUMENT");
    }
    expect(layoutHolds("flat", { scope: global })).toBe(true);
    expect(layoutHolds("flat", { scope: global, env: "dev" })).toBe(false);
    expect(layoutHolds("scoped", { scope: { kind: "user", id: "u" }, env: "dev" })).toBe(true);
  });

  it("never takes a scoped-layout escape for a name, nor a name under another prefix", () => {
    expect(flatNameOf("", toAzureSecretName({ name: "API_KEY", scope: global }))).toBeUndefined();
    expect(flatNameOf("", toAzureSecretName({ name: "x", scope: { kind: "team", id: "acme" } }))).toBeUndefined();
    expect(flatNameOf("app-", "other-Secret")).toBeUndefined();
  });

  it("is an option: scoped and flat are accepted, anything else is CONFIG naming the field", () => {
    const vaultUrl = "https://example.vault.azure.net";
    expect(codeOf(() => azureKeyVault({ vaultUrl, layout: "flat" }))).toBe("ok");
    expect(codeOf(() => azureKeyVault({ vaultUrl, layout: "scoped" }))).toBe("ok");
    let caught: unknown;
    try {
      azureKeyVault({ vaultUrl, layout: "tree" as "flat" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: "CONFIG", details: { field: "layout" } });
  });
});
