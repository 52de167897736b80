import { randomBytes } from "node:crypto";
import { AuthenticationError, CredentialUnavailableError } from "@azure/identity";
import type { SecretClient } from "@azure/keyvault-secrets";
import { type CofferError, isCofferError, type Provider, type SecretAddress } from "@coffer/core";
import { azureErrorAnswer, type FaultProxy, freePort, startFaultProxy } from "@coffer/test-emulators";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { azureKeyVault, toAzureSecretName } from "../src/index.js";
import {
  LOWKEY_SKIP_REASON,
  type LowkeyVault,
  rawClient,
  rawVersions,
  startLowkeyVault,
  testProvider,
  unique,
} from "./lowkey-test-setup.js";

const at = (name: string, extra: Partial<SecretAddress> = {}): SecretAddress => ({
  name,
  scope: { kind: "global" },
  ...extra,
});

/** The CofferError `promise` rejects with (fails the test when it resolves or throws something else). */
async function rejection(promise: Promise<unknown>): Promise<CofferError> {
  try {
    await promise;
  } catch (err) {
    if (isCofferError(err)) return err;
    throw err;
  }
  throw new Error("expected a CofferError, but the call succeeded");
}

describe.skipIf(LOWKEY_SKIP_REASON !== undefined)("azure-keyvault provider on Lowkey Vault", () => {
  let vault: LowkeyVault;
  let raw: SecretClient;

  beforeAll(async () => {
    vault = await startLowkeyVault();
    raw = rawClient(vault);
  });
  afterAll(async () => {
    await vault?.stop();
  });

  const provider = (options: Parameters<typeof testProvider>[1] = {}) =>
    testProvider(vault, { cacheTtlSeconds: 0, ...options });

  describe("name mapping on the wire", () => {
    it("keeps API_KEY and api_key apart as two Azure secrets that carry their Coffer names", async () => {
      const p = provider();
      const stem = unique("key").replace(/-/g, "_");
      const upper = stem.toUpperCase();
      await p.set!(at(upper), { value: "value-of-upper" });
      await p.set!(at(stem), { value: "value-of-lower" });
      expect((await p.get(at(upper))).value).toBe("value-of-upper");
      expect((await p.get(at(stem))).value).toBe("value-of-lower");

      const upperRaw = await raw.getSecret(toAzureSecretName(at(upper)));
      expect(upperRaw.value).toBe("value-of-upper");
      expect(upperRaw.properties.tags?.["coffer-name"]).toBe(upper);
      const lowerRaw = await raw.getSecret(toAzureSecretName(at(stem)));
      expect(lowerRaw.value).toBe("value-of-lower");
      expect(lowerRaw.properties.tags?.["coffer-name"]).toBe(stem);
      expect(upperRaw.name.toLowerCase()).not.toBe(lowerRaw.name.toLowerCase());
    });

    it("keeps scopes and envs apart and lists each state under its Coffer identity", async () => {
      const p = provider();
      const name = `${unique("svc")}/db.password`;
      const team = { kind: "team" as const, id: "acme" };
      await p.set!(at(name), { value: "global-default" });
      await p.set!(at(name, { env: "prod" }), { value: "global-prod" });
      await p.set!({ name, scope: team }, { value: "team-default" });
      expect((await p.get(at(name, { env: "prod" }))).value).toBe("global-prod");
      expect((await p.get({ name, scope: team })).value).toBe("team-default");
      const listed = (await p.list!({ prefix: name })).items.map((item) => [item.scope.kind, item.scope.id, item.env]);
      expect(listed).toEqual([
        ["global", undefined, undefined],
        ["global", undefined, "prod"],
        ["team", "acme", undefined],
      ]);
    });

    it("rejects a name too long for Azure before making any call", async () => {
      // Nothing listens on this port: a call would end in UNAVAILABLE, not INVALID_ARGUMENT.
      const p = azureKeyVault({ vaultUrl: `https://127.0.0.1:${await freePort()}`, maxRetries: 0 });
      const err = await rejection(p.set!(at(`A${"b".repeat(20)}`.repeat(6)), { value: "x" }));
      expect(err.code).toBe("INVALID_ARGUMENT");
      expect(err.message).toContain("too long for Azure Key Vault");
      expect((await rejection(p.get(at("a".repeat(128))))).code).toBe("INVALID_ARGUMENT");
    });
  });

  describe("interop with the plain Azure SDK", () => {
    it("writes values other tools read as they are: text plainly, bytes as base64 with a content type", async () => {
      const p = provider();
      const text = unique("text");
      const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 86_400_000).toISOString();
      await p.set!(at(text), { value: "postgres://user@host/db", description: "main database", expiresAt });
      await p.set!(at(text), { value: "postgres://user@host/db2", reason: "rotate" });
      const rawText = await raw.getSecret(text);
      expect(rawText.value).toBe("postgres://user@host/db2");
      expect(rawText.properties.contentType).toBe("text/plain; charset=utf-8");
      const versions = await rawVersions(raw, text);
      expect(versions.map((v) => v.tags?.["coffer-version"]).sort()).toEqual(["1", "2"]);
      const first = versions.find((v) => v.tags?.["coffer-version"] === "1")!;
      expect(first.tags?.["coffer-description"]).toBe("main database");
      expect(first.expiresOn?.toISOString()).toBe(expiresAt);

      const bytes = randomBytes(300);
      const binary = unique("bin");
      const written = await p.set!(at(binary), { value: bytes.toString("base64"), encoding: "base64" });
      expect(written.encoding).toBe("base64");
      const rawBinary = await raw.getSecret(binary);
      expect(rawBinary.properties.contentType).toBe("application/octet-stream;base64");
      expect(Buffer.from(rawBinary.value ?? "", "base64").equals(bytes)).toBe(true);
    });

    it("reads, lists and versions secrets created by other tools under their own names", async () => {
      const p = provider();
      const plain = unique("shared-db-url");
      const mixed = `My${unique("Secret").replace(/-/g, "")}`;
      await raw.setSecret(plain, "from-another-tool");
      await raw.setSecret(mixed, "mixed-case-value");

      const got = await p.get(at(plain));
      expect(got).toMatchObject({
        name: plain,
        value: "from-another-tool",
        version: 1,
        encoding: "utf-8",
        provider: "azure-keyvault",
      });
      expect((await p.get(at(mixed))).value).toBe("mixed-case-value");
      expect((await p.get(at(mixed), { version: 1 })).value).toBe("mixed-case-value");
      expect((await p.history!(at(mixed))).map((h) => h.version)).toEqual([1]);
      expect((await rejection(p.get(at(mixed.toLowerCase())))).code).toBe("NOT_FOUND");
      const names = (await p.list!()).items.map((item) => item.name);
      expect(names).toContain(plain);
      expect(names).toContain(mixed);

      await raw.setSecret(plain, "second-from-another-tool");
      expect(await p.get(at(plain))).toMatchObject({ value: "second-from-another-tool", version: 2 });
      expect((await p.get(at(plain), { version: 1 })).value).toBe("from-another-tool");
      expect((await p.history!(at(plain))).map((h) => h.version)).toEqual([2, 1]);

      const meta = await p.set!(at(plain), { value: "written-by-coffer" });
      expect(meta.version).toBe(3);
      expect((await raw.getSecret(plain)).properties.tags?.["coffer-version"]).toBe("3");
    });
  });

  describe("flat layout", () => {
    it("reads and writes secrets under their own names; scoped and env states are refused or missing", async () => {
      const p = provider({ layout: "flat" });
      const foreign = `Prod-${unique("db-password")}`;
      await raw.setSecret(foreign, "from-another-tool");
      expect(await p.get(at(foreign))).toMatchObject({ name: foreign, value: "from-another-tool", version: 1 });
      expect((await rejection(p.get(at(foreign.toLowerCase())))).code).toBe("NOT_FOUND");
      expect((await p.list!()).items.map((item) => item.name)).toContain(foreign);

      const name = `App-${unique("Key")}`;
      expect((await p.set!(at(name), { value: "written-by-coffer" })).version).toBe(1);
      const stored = await raw.getSecret(name);
      expect(stored.value).toBe("written-by-coffer");
      expect(stored.name).toBe(name);
      expect((await p.set!(at(foreign), { value: "coffer-on-top" })).version).toBe(2);
      expect((await raw.getSecret(foreign)).value).toBe("coffer-on-top");

      expect((await rejection(p.set!(at(name, { env: "prod" }), { value: "x" }))).code).toBe("UNSUPPORTED");
      expect((await rejection(p.set!({ name, scope: { kind: "team", id: "acme" } }, { value: "x" }))).code).toBe(
        "UNSUPPORTED",
      );
      expect((await rejection(p.get(at(name, { env: "prod" })))).code).toBe("NOT_FOUND");
      expect((await rejection(p.set!(at("api_key"), { value: "x" }))).code).toBe("INVALID_ARGUMENT");
    });
  });

  describe("versions", () => {
    it("numbers two versions another tool wrote in the same second by which one is current", async () => {
      const p = provider();
      let name = "";
      for (let attempt = 0; attempt < 10; attempt++) {
        name = unique("same-second");
        await raw.setSecret(name, "older");
        await raw.setSecret(name, "newer");
        const times = (await rawVersions(raw, name)).map((v) => v.createdOn?.getTime());
        if (times[0] === times[1]) break;
      }
      expect(await p.get(at(name))).toMatchObject({ value: "newer", version: 2 });
      expect((await p.get(at(name), { version: 1 })).value).toBe("older");
      expect((await p.history!(at(name))).map((h) => h.version)).toEqual([2, 1]);
    });

    it("reads past versions by number; a rotation grace of 0 expires the old version", async () => {
      const p = provider();
      const name = unique("rotating");
      await p.set!(at(name), { value: "one" });
      await p.set!(at(name), { value: "two", previousValidForSeconds: 3600, reason: "rotate" });
      expect((await p.get(at(name), { version: 1 })).value).toBe("one");
      await p.set!(at(name), { value: "three", previousValidForSeconds: 0, reason: "rotate" });

      const expired = await rejection(p.get(at(name), { version: 2 }));
      expect(expired.code).toBe("EXPIRED");
      expect(expired.message).not.toContain("two");
      expect((await p.get(at(name), { version: 1 })).value).toBe("one");
      expect((await p.get(at(name))).value).toBe("three");

      const history = await p.history!(at(name));
      expect(history.map((h) => [h.version, h.current, h.reason])).toEqual([
        [3, true, "rotate"],
        [2, false, "rotate"],
        [1, false, "write"],
      ]);
      expect(Date.parse(history[1]!.validUntil ?? "")).toBeLessThanOrEqual(Date.now());
      expect(Date.parse(history[2]!.validUntil ?? "")).toBeGreaterThan(Date.now() + 3_000_000);
    });
  });

  describe("delete, restore and purge", () => {
    it("deletes every env state softly; restore brings them back; a write recovers only its own state", async () => {
      const p = provider();
      const name = unique("deleted");
      await p.set!(at(name), { value: "base" });
      await p.set!(at(name, { env: "dev" }), { value: "dev-1" });
      await p.set!(at(name, { env: "dev" }), { value: "dev-2" });

      const outcome = await p.delete!({ name, scope: { kind: "global" } });
      expect(outcome.purged).toBe(false);
      expect(outcome.versionsDeleted).toBe(3);
      expect(Date.parse(outcome.purgeAt ?? "")).toBeGreaterThan(Date.now() + 80 * 86_400_000);
      expect((await rejection(p.get(at(name, { env: "dev" })))).code).toBe("NOT_FOUND");

      const listed = (await p.list!({ prefix: name, includeDeleted: true })).items;
      expect(listed.map((item) => [item.env, typeof item.deletedAt])).toEqual([
        [undefined, "string"],
        ["dev", "string"],
      ]);

      expect(await p.restore!({ name, scope: { kind: "global" } })).toEqual({ versionsRestored: 3 });
      expect(await p.get(at(name, { env: "dev" }))).toMatchObject({ value: "dev-2", version: 2 });
      expect((await p.get(at(name, { env: "dev" }), { version: 1 })).value).toBe("dev-1");

      // Deleted again, then written: the default state is recovered and written on top.
      await p.delete!({ name, scope: { kind: "global" } });
      const replaced = await p.set!(at(name), { value: "new-value" });
      expect(replaced).toMatchObject({ version: 2, replacedDeleted: true });
      expect((await p.get(at(name))).value).toBe("new-value");
      expect((await rejection(p.get(at(name, { env: "dev" })))).code).toBe("NOT_FOUND");
    });

    it("purges for good on a purgeable vault", async () => {
      const p = provider();
      const name = unique("purged");
      await p.set!(at(name), { value: "gone-soon" });
      expect(await p.purge!({ name, scope: { kind: "global" } })).toEqual({ versionsDeleted: 1 });
      await expect(raw.getDeletedSecret(name)).rejects.toMatchObject({ statusCode: 404 });
      await expect(raw.getSecret(name)).rejects.toMatchObject({ statusCode: 404 });
      expect((await rejection(p.restore!({ name, scope: { kind: "global" } }))).code).toBe("NOT_FOUND");
    });

    it("refuses to purge on a purge-protected vault before changing anything", async () => {
      const p = testProvider(vault, { vaultUrl: vault.protectedVaultUrl, cacheTtlSeconds: 0 });
      const name = unique("protected");
      await p.set!(at(name), { value: "kept" });

      const refused = await rejection(p.purge!({ name, scope: { kind: "global" } }));
      expect(refused.code).toBe("PERMISSION_DENIED");
      expect(refused.details.rule).toBe("purge-protection");
      expect(refused.message).toContain('recovery level is "Recoverable"');
      expect((await p.get(at(name))).value).toBe("kept");

      expect((await rejection(p.delete!({ name, scope: { kind: "global" } }, { purge: true }))).code).toBe(
        "PERMISSION_DENIED",
      );
      expect((await p.get(at(name))).value).toBe("kept");

      expect((await p.delete!({ name, scope: { kind: "global" } })).purged).toBe(false);
      expect((await rejection(p.purge!({ name, scope: { kind: "global" } }))).code).toBe("PERMISSION_DENIED");
      expect(await p.restore!({ name, scope: { kind: "global" } })).toEqual({ versionsRestored: 1 });
    });
  });

  describe("writers", () => {
    it("serializes parallel ifVersion writers of one provider: exactly one wins, the rest CONFLICT", async () => {
      const p = provider();
      const name = unique("contended");
      await p.set!(at(name), { value: "initial" });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => p.set!(at(name), { value: `writer-${i}` }, { ifVersion: 1 })),
      );
      const winners = outcomes.filter((o) => o.status === "fulfilled");
      expect(winners).toHaveLength(1);
      for (const o of outcomes) if (o.status === "rejected") expect((o.reason as CofferError).code).toBe("CONFLICT");
      expect((await p.get(at(name))).version).toBe(2);
      expect((await rawVersions(raw, name)).length).toBe(2);
    });

    it("refuses a value over Azure's 25 KiB limit with TOO_LARGE, without echoing it", async () => {
      const p = provider();
      const value = `big-${"x".repeat(26 * 1024)}`;
      const err = await rejection(p.set!(at(unique("big")), { value }));
      expect(err.code).toBe("TOO_LARGE");
      expect(err.message).not.toContain("xxxxxxxx");
    });
  });

  describe("read cache", () => {
    it("serves reads from memory for cacheTtlSeconds and forgets a secret when this provider writes it", async () => {
      const p = testProvider(vault, { cacheTtlSeconds: 300 });
      const name = unique("cached");
      await p.set!(at(name), { value: "v1" });
      const fetched = await p.get(at(name));
      expect(fetched.value).toBe("v1");
      expect(fetched.cachedAgeMs).toBeUndefined(); // fetched now: no cache age
      await raw.setSecret(name, "changed-behind-coffers-back");
      await new Promise((r) => setTimeout(r, 20));
      const cached = await p.get(at(name));
      expect(cached.value).toBe("v1");
      expect(cached.cachedAgeMs).toBeGreaterThanOrEqual(15); // served from memory, with its age
      await p.set!(at(name), { value: "v3" });
      const refetched = await p.get(at(name));
      expect(refetched.value).toBe("v3");
      expect(refetched.cachedAgeMs).toBeUndefined();
    });

    it("fetches now for a noCache read, and the fresh copy replaces the cached one", async () => {
      const p = testProvider(vault, { cacheTtlSeconds: 300 });
      const name = unique("fresh");
      await p.set!(at(name), { value: "v1" });
      expect((await p.get(at(name))).value).toBe("v1");
      await raw.setSecret(name, "changed-elsewhere");
      expect((await p.get(at(name))).value).toBe("v1"); // cached
      const fresh = await p.get(at(name), { noCache: true });
      expect(fresh.value).toBe("changed-elsewhere");
      expect(fresh.cachedAgeMs).toBeUndefined();
      expect((await p.get(at(name))).value).toBe("changed-elsewhere");
    });

    it("reads through every time when cacheTtlSeconds is 0", async () => {
      const p = provider({ cacheTtlSeconds: 0 });
      const name = unique("uncached");
      await p.set!(at(name), { value: "v1" });
      expect((await p.get(at(name))).value).toBe("v1");
      await raw.setSecret(name, "changed-elsewhere");
      expect((await p.get(at(name))).value).toBe("changed-elsewhere");
    });
  });

  describe("failures", () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(vault.vaultUrl, { upstreamCa: vault.caCertPem });
    });
    afterAll(async () => {
      await proxy?.close();
    });
    afterEach(() => proxy.clearFaults());
    const viaProxy = (options: Parameters<typeof testProvider>[1] = {}): Provider =>
      testProvider(vault, {
        vaultUrl: proxy.url,
        extraCaCertificates: proxy.caCertPem!,
        cacheTtlSeconds: 0,
        ...options,
      });

    it("shares one request between concurrent reads of one secret (cache de-duplication)", async () => {
      const p = viaProxy({ cacheTtlSeconds: 300 });
      const name = unique("dedup");
      await p.set!(at(name), { value: "shared" });
      const before = proxy.matching({ authorized: true, method: "GET", pathIncludes: `/secrets/${name}` }).length;
      const reads = await Promise.all(Array.from({ length: 5 }, () => p.get(at(name))));
      expect(reads.map((r) => r.value)).toEqual(Array(5).fill("shared"));
      await p.get(at(name));
      expect(
        proxy.matching({ authorized: true, method: "GET", pathIncludes: `/secrets/${name}` }).length - before,
      ).toBe(1);
    });

    it("reports 403 as PERMISSION_DENIED (never a miss) from get, getMany and health (fault proxy: Lowkey Vault never answers 403)", async () => {
      const p = viaProxy();
      const name = unique("denied");
      await p.set!(at(name), { value: "hidden" });
      proxy.inject({ authorized: true, method: "GET", ...azureErrorAnswer("Forbidden", 403) }, 3);
      const err = await rejection(p.get(at(name)));
      expect(err.code).toBe("PERMISSION_DENIED");
      expect(err.details.hint).toContain("Key Vault Secrets User");
      const [many] = await p.getMany!([at(name)]);
      expect(many?.ok === false && many.error.code).toBe("PERMISSION_DENIED");
      const health = await p.health!();
      expect(health.ok).toBe(false);
      expect(health.message).toContain("PERMISSION_DENIED");
    });

    it("reports a rejected credential as PERMISSION_DENIED and a missing one as CONFIG", async () => {
      const rejected = testProvider(vault, {
        credential: {
          getToken: async () => {
            throw new AuthenticationError(401, { error: "invalid_client", error_description: "bad client secret" });
          },
        },
      });
      expect((await rejection(rejected.get(at("anything")))).code).toBe("PERMISSION_DENIED");
      const missing = testProvider(vault, {
        credential: {
          getToken: async () => {
            throw new CredentialUnavailableError("no credential configured");
          },
        },
      });
      const err = await rejection(missing.get(at("anything")));
      expect(err.code).toBe("CONFIG");
      expect(err.details.hint).toContain("az login");
    });

    it("retries 429 after its Retry-After and then succeeds (fault proxy)", async () => {
      const p = viaProxy();
      const name = unique("throttled");
      await p.set!(at(name), { value: "patience" });
      const before = proxy.matching({ authorized: true, method: "GET", pathIncludes: `/secrets/${name}` }).length;
      proxy.inject({
        authorized: true,
        method: "GET",
        pathIncludes: `/secrets/${name}`,
        ...azureErrorAnswer("Injected", 429, { "retry-after": "1" }),
      });
      const started = Date.now();
      expect((await p.get(at(name))).value).toBe("patience");
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(
        proxy.matching({ authorized: true, method: "GET", pathIncludes: `/secrets/${name}` }).length - before,
      ).toBe(2);
    });

    it("ends persistent 503s with UNAVAILABLE after 1 + maxRetries attempts (fault proxy)", async () => {
      const p = viaProxy({ maxRetries: 2, circuitBreakerThreshold: 0 });
      const name = unique("down");
      await p.set!(at(name), { value: "unreachable" });
      const before = proxy.matching({ authorized: true, pathIncludes: `/secrets/${name}` }).length;
      proxy.inject(
        { authorized: true, pathIncludes: `/secrets/${name}`, ...azureErrorAnswer("ServiceUnavailable", 503) },
        10,
      );
      const err = await rejection(p.get(at(name)));
      expect(err.code).toBe("UNAVAILABLE");
      expect(err.details.status).toBe(503);
      expect(proxy.matching({ authorized: true, pathIncludes: `/secrets/${name}` }).length - before).toBe(3);
    });

    it("gives up on an attempt that hangs after timeoutMs, retries, and reports UNAVAILABLE (fault proxy)", async () => {
      const p = viaProxy({ maxRetries: 1, timeoutMs: 300, circuitBreakerThreshold: 0 });
      const name = unique("hung");
      await p.set!(at(name), { value: "slow" });
      proxy.inject({ authorized: true, method: "GET", pathIncludes: `/secrets/${name}`, hang: true }, 2);
      const started = Date.now();
      const err = await rejection(p.get(at(name)));
      expect(err.code).toBe("UNAVAILABLE");
      expect(err.message).toContain("timed out");
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    });

    it("reports a refused connection as UNAVAILABLE, and the circuit breaker then stops calling", async () => {
      const port = await freePort();
      const p = testProvider(vault, {
        vaultUrl: `https://127.0.0.1:${port}`,
        maxRetries: 1,
        circuitBreakerThreshold: 2,
      });
      const first = await rejection(p.get(at("x")));
      expect(first.code).toBe("UNAVAILABLE");
      expect(first.details.networkCode).toBe("ECONNREFUSED");
      await rejection(p.get(at("x")));
      const open = await rejection(p.get(at("x")));
      expect(open.code).toBe("UNAVAILABLE");
      expect(open.message).toContain("not trying again");
      expect(open.details.retryAfterSeconds).toBeGreaterThan(0);
    });
  });

  it("answers health with ok and a latency", async () => {
    const health = await provider().health!();
    expect(health.ok).toBe(true);
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
