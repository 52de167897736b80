import { isCofferError, type ScopeRef, type SecretAddress } from "@coffer/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AZURE_NAME_MAX_LENGTH,
  foreignSecretIdentity,
  fromAzureSecretName,
  scopeDigest,
  toAzureSecretName,
} from "../src/naming/azure-secret-name.js";

const global: ScopeRef = { kind: "global" };
const at = (name: string, extra: Partial<SecretAddress> = {}): SecretAddress => ({ name, scope: global, ...extra });

function expectInvalid(run: () => unknown, fragment: string): void {
  try {
    run();
  } catch (err) {
    expect(isCofferError(err, "INVALID_ARGUMENT")).toBe(true);
    expect((err as Error).message).toContain(fragment);
    return;
  }
  throw new Error("expected INVALID_ARGUMENT");
}

describe("toAzureSecretName", () => {
  it("keeps plain lower-case names as they are, so other tools see the same name", () => {
    expect(toAzureSecretName(at("db-password"))).toBe("db-password");
    expect(toAzureSecretName(at("stripe2"))).toBe("stripe2");
  });

  it("escapes _ . / and upper case, so names differing only in case never collide", () => {
    expect(toAzureSecretName(at("api_key"))).toBe("api--ukey");
    expect(toAzureSecretName(at("API_KEY"))).toBe("--capi--ukey");
    expect(toAzureSecretName(at("Api_Key"))).toBe("--kapi--u--kkey");
    expect(toAzureSecretName(at("openai/default.key"))).toBe("openai--sdefault--pkey");
    const names = ["api_key", "API_KEY", "Api_Key", "api-key", "api.key", "api/key", "apikey", "APIKEY", "ApiKey"];
    const encoded = names.map((name) => toAzureSecretName(at(name)).toLowerCase());
    expect(new Set(encoded).size).toBe(names.length);
  });

  it("only ever writes lower-case letters, digits and dashes", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./-]{0,40}$/), (name) => {
        expect(toAzureSecretName(at(name))).toMatch(/^[0-9a-z-]+$/);
      }),
    );
  });

  it("puts the env after a --e marker and a scope digest in front", () => {
    expect(toAzureSecretName(at("token", { env: "prod" }))).toBe("token--eprod");
    const scope: ScopeRef = { kind: "project", id: "/home/alice/app" };
    expect(toAzureSecretName({ name: "token", scope })).toBe(`--xp${scopeDigest(scope)}token`);
    expect(toAzureSecretName({ name: "token", scope, env: "Dev" })).toBe(`--xp${scopeDigest(scope)}token--e--kdev`);
  });

  it("writes a dash that touches an escape as --d", () => {
    expect(toAzureSecretName(at("a-_b"))).toBe("a--d--ub");
    expect(toAzureSecretName(at("a--b"))).toBe("a--d-b");
    expect(toAzureSecretName(at("key-", { env: "dev" }))).toBe("key--d--edev");
  });

  it("applies the prefix option verbatim", () => {
    expect(toAzureSecretName(at("API_KEY"), "coffer-")).toBe("coffer---capi--ukey");
  });

  it("rejects names that cannot be stored, before any call", () => {
    expectInvalid(() => toAzureSecretName(at("has space")), "cannot be stored in Azure Key Vault");
    expectInvalid(() => toAzureSecretName(at("")), "cannot be stored");
    expectInvalid(() => toAzureSecretName(at("ok", { env: "bad env" })), "env");
    expectInvalid(() => toAzureSecretName({ name: "ok", scope: { kind: "team" } }), "has no id");
    expectInvalid(
      () => toAzureSecretName({ name: "ok", scope: { kind: "galaxy" as "team", id: "x" } }),
      "unknown scope",
    );
  });

  it("rejects a name whose encoding exceeds 127 characters and accepts one that just fits", () => {
    expect(toAzureSecretName(at("a".repeat(AZURE_NAME_MAX_LENGTH)))).toHaveLength(AZURE_NAME_MAX_LENGTH);
    expectInvalid(() => toAzureSecretName(at("a".repeat(128))), "too long for Azure Key Vault");
    // 43 upper-case letters alternate case: each costs 3 characters.
    expectInvalid(() => toAzureSecretName(at("aB".repeat(30))), "encoded name has");
  });
});

describe("fromAzureSecretName", () => {
  const addresses = fc.record({
    name: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./-]{0,30}$/),
    env: fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,12}$/), { nil: undefined }),
    scope: fc.oneof(
      fc.constant<ScopeRef>({ kind: "global" }),
      fc.record({
        kind: fc.constantFrom("project", "team", "org", "user", "agent", "plugin"),
        id: fc.string({ minLength: 1 }),
      }),
    ),
  });

  it("round-trips every address (name and env exactly, scope by kind and digest)", () => {
    fc.assert(
      fc.property(addresses, fc.constantFrom("", "coffer-"), (address, prefix) => {
        const clean: SecretAddress = address.env === undefined ? { name: address.name, scope: address.scope } : address;
        const decoded = fromAzureSecretName(toAzureSecretName(clean, prefix), prefix);
        expect(decoded?.name).toBe(clean.name);
        expect(decoded?.env).toBe(clean.env);
        expect(decoded?.scopeKind).toBe(clean.scope.kind);
        if (clean.scope.kind !== "global") expect(decoded?.scopeDigest).toBe(scopeDigest(clean.scope));
      }),
      { numRuns: 500 },
    );
  });

  it("never maps two different addresses to names equal ignoring case", () => {
    fc.assert(
      fc.property(addresses, addresses, (a, b) => {
        const ka = `${a.name}\u0000${a.env}\u0000${JSON.stringify(a.scope)}`;
        const kb = `${b.name}\u0000${b.env}\u0000${JSON.stringify(b.scope)}`;
        fc.pre(ka !== kb);
        expect(toAzureSecretName(a).toLowerCase()).not.toBe(toAzureSecretName(b).toLowerCase());
      }),
      { numRuns: 500 },
    );
  });

  it("refuses non-canonical spellings, so two Azure names never decode to one address", () => {
    expect(fromAzureSecretName("api--ukey")).toEqual({ name: "api_key", scopeKind: "global" });
    expect(fromAzureSecretName("API--ukey")).toBeUndefined(); // upper case is never written
    expect(fromAzureSecretName("a--c--cb")).toBeUndefined(); // toggling twice is not canonical
    expect(fromAzureSecretName("--kab")).toEqual({ name: "Ab", scopeKind: "global" });
    expect(fromAzureSecretName("--ka--kb")).toBeUndefined(); // canonical is --cab
    expect(fromAzureSecretName("a--zb")).toBeUndefined(); // unknown escape
    expect(fromAzureSecretName("a--d")).toBeUndefined(); // canonical is a-
  });
});

describe("foreignSecretIdentity", () => {
  it("lists secrets created by other tools under a usable Coffer name", () => {
    expect(foreignSecretIdentity("db-password")).toEqual({ name: "db-password" });
    expect(foreignSecretIdentity("MySecret")).toEqual({ name: "MySecret" });
    expect(foreignSecretIdentity("token--eprod")).toEqual({ name: "token", env: "prod" });
    expect(foreignSecretIdentity("9lives")).toBeUndefined(); // not a valid Coffer name
    expect(foreignSecretIdentity("other-app-key", "coffer-")).toBeUndefined(); // outside the prefix
  });
});
