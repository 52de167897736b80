import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { CofferError, type SecretAddress } from "@coffer/core";
import { type FaultProxy, startFaultProxy } from "@coffer/test-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsSecretsManagerProvider, hashScopeId, versionToken } from "../src/index.js";
import {
  MOTO_SKIP_REASON,
  type MotoServer,
  startMoto,
  TEST_CREDENTIALS,
  TEST_REGION,
  testProvider,
  uniquePrefix,
} from "./aws-test-setup.js";

const GLOBAL = { kind: "global" } as const;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (err) {
    return err instanceof CofferError ? err.code : `not a CofferError: ${String(err)}`;
  }
}

describe.skipIf(MOTO_SKIP_REASON !== undefined)("aws-secrets-manager against moto", () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let raw: SecretsManagerClient;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    raw = new SecretsManagerClient({
      region: TEST_REGION,
      endpoint: moto.endpoint,
      credentials: { ...TEST_CREDENTIALS },
    });
  });
  afterAll(async () => {
    raw?.destroy();
    await proxy?.close();
    await moto?.stop();
  });

  /** A provider behind the counting proxy, with its own prefix. */
  function counted(
    label: string,
    options: Parameters<typeof testProvider>[1] = {},
  ): {
    provider: AwsSecretsManagerProvider;
    prefix: string;
  } {
    const prefix = uniquePrefix(label);
    return { provider: testProvider(proxy.url, { prefix, ...options }), prefix };
  }

  describe("interoperability with other AWS tools", () => {
    it("reads a secret created with the raw SDK under the prefix by its path", async () => {
      const { provider, prefix } = counted("interop-read");
      await raw.send(new CreateSecretCommand({ Name: `${prefix}global/legacy/DB_URL`, SecretString: "postgres://x" }));
      await raw.send(
        new CreateSecretCommand({
          Name: `${prefix}global/legacy/DB_URL@prod`,
          SecretBinary: new Uint8Array([0, 1, 254, 255]),
        }),
      );
      const current = await provider.get({ name: "legacy/DB_URL", scope: GLOBAL });
      expect(current).toMatchObject({ name: "legacy/DB_URL", value: "postgres://x", version: 1, encoding: "utf-8" });
      const prod = await provider.get({ name: "legacy/DB_URL", scope: GLOBAL, env: "prod" });
      expect(prod).toMatchObject({
        env: "prod",
        value: Buffer.from([0, 1, 254, 255]).toString("base64"),
        encoding: "base64",
      });
      const listed = await provider.list({ scope: GLOBAL });
      expect(listed.items.map((m) => `${m.name}|${m.env ?? ""}`)).toEqual(["legacy/DB_URL|", "legacy/DB_URL|prod"]);

      // A Coffer write on top numbers the outside version 1 and keeps it readable.
      const meta = await provider.set({ name: "legacy/DB_URL", scope: GLOBAL }, { value: "postgres://y" });
      expect(meta.version).toBe(2);
      expect((await provider.get({ name: "legacy/DB_URL", scope: GLOBAL }, { version: 1 })).value).toBe("postgres://x");
      expect((await provider.history({ name: "legacy/DB_URL", scope: GLOBAL })).map((v) => v.version)).toEqual([2, 1]);
    });

    it("writes plain SecretString/SecretBinary values other tools read, with Coffer tags and labels", async () => {
      const { provider, prefix } = counted("interop-write");
      const root = "/home/dev/shop";
      const address: SecretAddress = { name: "stripe/key", scope: { kind: "project", id: root }, env: "prod" };
      await provider.set(address, { value: "sk_live_1", description: "Stripe", tags: ["payments"] });
      await provider.set(address, { value: "sk_live_2", description: "Stripe" });
      const awsName = `${prefix}project/${hashScopeId(root)}/stripe/key@prod`;

      const value = await raw.send(new GetSecretValueCommand({ SecretId: awsName }));
      expect(value.SecretString).toBe("sk_live_2");
      expect(value.SecretBinary).toBeUndefined();
      expect(value.VersionId).toBe(versionToken(awsName, 2));
      expect(value.VersionStages).toEqual(expect.arrayContaining(["AWSCURRENT", "coffer-v2"]));
      const first = await raw.send(
        new GetSecretValueCommand({ SecretId: awsName, VersionId: versionToken(awsName, 1) }),
      );
      expect(first.SecretString).toBe("sk_live_1");

      const described = await raw.send(new DescribeSecretCommand({ SecretId: awsName }));
      const tags = Object.fromEntries((described.Tags ?? []).map((t) => [t.Key, t.Value]));
      expect(described.Description).toBe("Stripe");
      expect(tags).toMatchObject({
        "coffer:name": "stripe/key",
        "coffer:scope": `project:${root}`,
        "coffer:env": "prod",
        "coffer:version": "2",
      });
      expect(tags["coffer:tags"]).toBeUndefined(); // the second write had no tags: they are the version's

      await provider.set(
        { name: "blob", scope: GLOBAL },
        { value: Buffer.from([9, 8, 7]).toString("base64"), encoding: "base64" },
      );
      const blob = await raw.send(new GetSecretValueCommand({ SecretId: `${prefix}global/blob` }));
      expect(Buffer.from(blob.SecretBinary!)).toEqual(Buffer.from([9, 8, 7]));
      expect(blob.SecretString).toBeUndefined();
    });

    it("numbers versions written by other tools after Coffer's", async () => {
      const { provider, prefix } = counted("interop-rotate");
      const address = { name: "ROTATED", scope: GLOBAL };
      await provider.set(address, { value: "one" });
      await provider.set(address, { value: "two" });
      await raw.send(
        new PutSecretValueCommand({ SecretId: `${prefix}global/ROTATED`, SecretString: "rotated-by-lambda" }),
      );
      const current = await provider.get(address);
      expect(current).toMatchObject({ value: "rotated-by-lambda", version: 3 });
      expect((await provider.set(address, { value: "four" }, { ifVersion: 3 })).version).toBe(4);
      expect((await provider.get(address, { version: 3 })).value).toBe("rotated-by-lambda");
      expect((await provider.history(address)).map((v) => [v.version, v.current])).toEqual([
        [4, true],
        [3, false],
        [2, false],
        [1, false],
      ]);
    });
  });

  describe("versions", () => {
    it("keeps every version readable by number beyond the labelled window", async () => {
      const { provider } = counted("many-versions");
      const address = { name: "MANY", scope: GLOBAL };
      for (let i = 1; i <= 13; i++) await provider.set(address, { value: `value-${i}` });
      for (const n of [1, 2, 7, 13]) expect((await provider.get(address, { version: n })).value).toBe(`value-${n}`);
      const history = await provider.history(address);
      expect(history.map((v) => v.version)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      expect(await codeOf(provider.get(address, { version: 14 }))).toBe("NOT_FOUND");
    });

    it("lets unconditional racing writers all land on distinct versions", async () => {
      const { provider } = counted("upsert-race");
      const address = { name: "RACE", scope: GLOBAL };
      await provider.set(address, { value: "start" });
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => provider.set(address, { value: `writer-${i}` })),
      );
      expect(results.map((m) => m.version).sort()).toEqual([2, 3, 4, 5, 6]);
      expect((await provider.history(address)).length).toBe(6);
    });

    it("makes a rotated-away version EXPIRED once its grace ends", async () => {
      const { provider } = counted("grace");
      const address = { name: "ROTATE", scope: GLOBAL };
      await provider.set(address, { value: "old" });
      await provider.set(address, { value: "mid", reason: "rotate", previousValidForSeconds: 3600 });
      expect((await provider.get(address, { version: 1 })).value).toBe("old");
      await provider.set(address, { value: "new", reason: "rotate", previousValidForSeconds: 0 });
      const error = await provider.get(address, { version: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CofferError);
      expect((error as CofferError).code).toBe("EXPIRED");
      expect((error as CofferError).message).not.toContain("mid");
      const history = await provider.history(address);
      expect(history[1]).toMatchObject({ version: 2, current: false });
      expect(Date.parse(history[1]!.validUntil!)).toBeLessThanOrEqual(Date.now());
      expect(Date.parse(history[2]!.validUntil!)).toBeGreaterThan(Date.now());
    });
  });

  describe("deletes", () => {
    it("writes a deleted secret again by restoring it and writing on top (its versions stay in history)", async () => {
      const { provider } = counted("deleted-write");
      const ref = { name: "GONE", scope: GLOBAL };
      await provider.set(ref, { value: "v" });
      const outcome = await provider.delete(ref, { recoveryWindowDays: 10 });
      expect(outcome.purged).toBe(false);
      const days = (Date.parse(outcome.purgeAt!) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(9.9);
      expect(days).toBeLessThan(10.1);
      expect(await codeOf(provider.delete(ref, { recoveryWindowDays: 3 }))).toBe("INVALID_ARGUMENT");
      expect(await codeOf(provider.delete(ref))).toBe("NOT_FOUND");
      const meta = await provider.set(ref, { value: "new-value-xyz" });
      expect(meta).toMatchObject({ version: 2, replacedDeleted: true });
      expect((await provider.get(ref)).value).toBe("new-value-xyz");
      expect((await provider.history(ref)).map((h) => h.version)).toEqual([2, 1]);
      const listed = await provider.list({ includeDeleted: true, prefix: "GONE" });
      expect(listed.items.map((m) => m.deletedAt)).toEqual([undefined]);
      expect((await provider.set(ref, { value: "after" })).replacedDeleted).toBeUndefined();
    });
  });

  describe("getMany", () => {
    it("resolves 100 secrets with 5 BatchGetSecretValue calls and keeps per-secret errors", async () => {
      const { provider } = counted("batch", { cacheTtlSeconds: 0 });
      const names = Array.from({ length: 100 }, (_, i) => `BATCH_${String(i).padStart(3, "0")}`);
      for (let i = 0; i < names.length; i += 10) {
        await Promise.all(
          names.slice(i, i + 10).map((name) => provider.set({ name, scope: GLOBAL }, { value: `v-${name}` })),
        );
      }
      await provider.delete({ name: names[7]!, scope: GLOBAL });

      proxy.clearRequests();
      const addresses = names.map((name) => ({ name, scope: GLOBAL }));
      addresses.push({ name: "BATCH_MISSING", scope: GLOBAL });
      const results = await provider.getMany(addresses);
      expect(proxy.count({ operation: "BatchGetSecretValue" })).toBe(6); // 101 names: 20 per call
      // Versions Coffer wrote without attributes carry the plain label: no listing for metadata.
      expect(proxy.count({ operation: "ListSecrets" })).toBe(0);
      expect(proxy.count()).toBe(6);
      expect(results).toHaveLength(101);
      results.forEach((result, i) => {
        if (i === 7 || i === 100) {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.code).toBe("NOT_FOUND");
        } else {
          expect(result.ok).toBe(true);
          if (result.ok) expect(result.secret).toMatchObject({ name: names[i], value: `v-${names[i]}`, version: 1 });
        }
      });

      proxy.clearRequests();
      const hundred = await provider.getMany(addresses.slice(0, 100));
      expect(hundred.filter((r) => r.ok)).toHaveLength(99);
      expect(proxy.count({ operation: "BatchGetSecretValue" })).toBe(5);
      expect(proxy.count()).toBe(5); // cold: 100 secrets in at most 5 requests
    });
  });

  describe("getMany in a big scope", () => {
    it("bounds the metadata listing to 2 x ceil(names / 10) calls", async () => {
      const { provider, prefix } = counted("big-scope", { cacheTtlSeconds: 0 });
      const filler = Array.from({ length: 430 }, (_, i) => `A_${String(i).padStart(3, "0")}`);
      for (let i = 0; i < filler.length; i += 30) {
        await Promise.all(
          filler
            .slice(i, i + 30)
            .map((name) => raw.send(new CreateSecretCommand({ Name: `${prefix}global/${name}`, SecretString: "x" }))),
        );
      }
      const wanted = Array.from({ length: 11 }, (_, i) => `Z_${i}`);
      // With attributes: their metadata needs the listing.
      for (const name of wanted)
        await provider.set({ name, scope: GLOBAL }, { value: `v-${name}`, description: `about ${name}` });
      proxy.clearRequests();
      const results = await provider.getMany(wanted.map((name) => ({ name, scope: GLOBAL })));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(results.map((r) => r.ok && r.secret.description)).toEqual(wanted.map((name) => `about ${name}`));
      expect(proxy.count({ operation: "BatchGetSecretValue" })).toBe(1);
      // 2 pages of the scope (the cap), then the 11 names 10 at a time; reading the scope would take 5.
      expect(proxy.count({ operation: "ListSecrets" })).toBe(4);
      expect(proxy.count({ operation: "DescribeSecret" })).toBe(0);
    });
  });

  describe("input checks", () => {
    it("rejects what AWS cannot hold before any call", async () => {
      const { provider } = counted("input");
      proxy.clearRequests();
      expect(await codeOf(provider.set({ name: "bad name", scope: GLOBAL }, { value: "v" }))).toBe("INVALID_ARGUMENT");
      expect(await codeOf(provider.get({ name: "a@b", scope: GLOBAL }))).toBe("INVALID_ARGUMENT");
      expect(await codeOf(provider.set({ name: "EMPTY", scope: GLOBAL }, { value: "" }))).toBe("INVALID_ARGUMENT");
      expect(await codeOf(provider.set({ name: "BIG", scope: GLOBAL }, { value: "x".repeat(65_537) }))).toBe(
        "TOO_LARGE",
      );
      expect(
        await codeOf(provider.set({ name: "B64", scope: GLOBAL }, { value: "not base64!", encoding: "base64" })),
      ).toBe("INVALID_ARGUMENT");
      expect(
        await codeOf(
          provider.set(
            { name: "TAGS", scope: GLOBAL },
            { value: "v", tags: Array.from({ length: 60 }, (_, i) => `t${i}-${"x".repeat(250)}`) },
          ),
        ),
      ).toBe("INVALID_ARGUMENT");
      expect(await codeOf(provider.list({ cursor: "garbage" }))).toBe("INVALID_ARGUMENT");
      expect(proxy.count()).toBe(0);
    });
  });

  describe("cache", () => {
    it("answers repeated reads from memory, de-duplicates concurrent ones and reports the age", async () => {
      const { provider } = counted("cache");
      const address = { name: "CACHED", scope: GLOBAL };
      await provider.set(address, { value: "one" });
      proxy.clearRequests();
      const reads = await Promise.all(Array.from({ length: 5 }, () => provider.get(address)));
      expect(reads.every((r) => r.value === "one")).toBe(true);
      expect(reads.every((r) => r.cachedAgeMs === undefined)).toBe(true); // fetched, not cached
      expect(proxy.count()).toBe(2); // one DescribeSecret + one GetSecretValue for five callers
      await new Promise((r) => setTimeout(r, 30));
      expect(provider.cacheAgeMs(address)).toBeGreaterThanOrEqual(25);
      const cached = await provider.get(address);
      expect(cached.value).toBe("one");
      expect(cached.cachedAgeMs).toBeGreaterThanOrEqual(25); // provenance age of a cache hit
      expect((await provider.getMany([address]))[0]).toMatchObject({ ok: true, secret: { value: "one" } });
      expect(proxy.count()).toBe(2);
      reads[0]!.value = "mutated by a caller";
      expect((await provider.get(address)).value).toBe("one");

      await provider.set(address, { value: "two" }); // own write invalidates
      expect(provider.cacheAgeMs(address)).toBeUndefined();
      proxy.clearRequests();
      expect((await provider.get(address)).value).toBe("two");
      expect(proxy.count()).toBe(2);
      expect(provider.cacheStats().hits).toBeGreaterThanOrEqual(6);
    });

    it("serves another writer's change only after the TTL expires", async () => {
      const { provider, prefix } = counted("cache-ttl", { cacheTtlSeconds: 1 });
      const writer = testProvider(moto.endpoint, { prefix });
      const address = { name: "TTL", scope: GLOBAL };
      await writer.set(address, { value: "first" });
      expect((await provider.get(address)).value).toBe("first");
      await writer.set(address, { value: "second" });
      expect((await provider.get(address)).value).toBe("first"); // still cached
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await provider.get(address)).value).toBe("second");
      await writer.dispose();
    });

    it("fetches now for a noCache read, and the fresh copy replaces the cached one", async () => {
      const { provider, prefix } = counted("cache-fresh", { cacheTtlSeconds: 300 });
      const writer = testProvider(moto.endpoint, { prefix });
      const address = { name: "FRESH", scope: GLOBAL };
      await writer.set(address, { value: "first" });
      expect((await provider.get(address)).value).toBe("first");
      await writer.set(address, { value: "second" });
      expect((await provider.get(address)).value).toBe("first"); // cached for 300 s
      proxy.clearRequests();
      const fresh = await provider.get(address, { noCache: true });
      expect(fresh.value).toBe("second");
      expect(fresh.cachedAgeMs).toBeUndefined();
      expect(proxy.count()).toBeGreaterThan(0);
      proxy.clearRequests();
      expect((await provider.get(address)).value).toBe("second"); // from the refreshed cache
      expect(proxy.count()).toBe(0);
      await writer.dispose();
    });

    it("caches nothing with cacheTtlSeconds 0", async () => {
      const { provider } = counted("no-cache", { cacheTtlSeconds: 0 });
      const address = { name: "UNCACHED", scope: GLOBAL };
      await provider.set(address, { value: "v" });
      proxy.clearRequests();
      await provider.get(address);
      await provider.get(address);
      expect(proxy.count()).toBe(4);
    });
  });
});
