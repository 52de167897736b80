import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { CofferError } from "@coffer/core";
import { type FaultProxy, startFaultProxy } from "@coffer/test-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsSecretsManager } from "../src/index.js";
import {
  MOTO_SKIP_REASON,
  type MotoServer,
  startMoto,
  TEST_CREDENTIALS,
  TEST_REGION,
  testProvider,
  uniquePrefix,
} from "./aws-test-setup.js";

// Layouts (scoped, flat), the empty prefix, and how many requests a cold batch read takes.

const GLOBAL = { kind: "global" } as const;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (err) {
    return err instanceof CofferError ? err.code : `not a CofferError: ${String(err)}`;
  }
}

describe("layout option", () => {
  it("accepts scoped and flat, and refuses anything else with CONFIG naming the field", () => {
    expect(() => awsSecretsManager({ layout: "flat" })).not.toThrow();
    expect(() => awsSecretsManager({ layout: "scoped" })).not.toThrow();
    let caught: unknown;
    try {
      awsSecretsManager({ layout: "tree" as "flat" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: "CONFIG", details: { field: "layout" } });
  });
});

describe.skipIf(MOTO_SKIP_REASON !== undefined)("layouts against moto", () => {
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

  const rawValue = async (name: string) => (await raw.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;

  describe("flat", () => {
    it("reads the secrets other tools made, by their own names, and lists them", async () => {
      const prefix = uniquePrefix("flat-read");
      await raw.send(new CreateSecretCommand({ Name: `${prefix}prod/db/password`, SecretString: "hunter2" }));
      await raw.send(new CreateSecretCommand({ Name: `${prefix}RAW_SECRET`, SecretString: "raw-value" }));
      await raw.send(new CreateSecretCommand({ Name: `${prefix}odd+name=x`, SecretString: "unaddressable" }));
      const flat = testProvider(proxy.url, { prefix, layout: "flat", cacheTtlSeconds: 0 });
      const scoped = testProvider(proxy.url, { prefix, cacheTtlSeconds: 0 });
      try {
        expect(await flat.get({ name: "prod/db/password", scope: GLOBAL })).toMatchObject({
          name: "prod/db/password",
          value: "hunter2",
          version: 1,
          encoding: "utf-8",
        });
        expect(await codeOf(scoped.get({ name: "prod/db/password", scope: GLOBAL }))).toBe("NOT_FOUND");
        const many = await flat.getMany([
          { name: "RAW_SECRET", scope: GLOBAL },
          { name: "prod/db/password", scope: GLOBAL },
          { name: "MISSING", scope: GLOBAL },
        ]);
        expect(many.map((r) => (r.ok ? r.secret.value : r.error.code))).toEqual(["raw-value", "hunter2", "NOT_FOUND"]);
        const listed = await flat.list({});
        expect(listed.items.map((m) => `${m.name}|${m.scope.kind}|${m.env ?? ""}`).sort()).toEqual([
          "RAW_SECRET|global|",
          "prod/db/password|global|",
        ]);
        expect((await flat.list({ prefix: "prod/" })).items.map((m) => m.name)).toEqual(["prod/db/password"]);
        expect((await flat.list({ scope: { kind: "team", id: "acme" } })).items).toEqual([]);
      } finally {
        await flat.dispose?.();
        await scoped.dispose?.();
      }
    });

    it("writes a plain secret of that name, which other tools read; updates keep versions", async () => {
      const prefix = uniquePrefix("flat-write");
      await raw.send(new CreateSecretCommand({ Name: `${prefix}EXISTING`, SecretString: "old" }));
      const flat = testProvider(proxy.url, { prefix, layout: "flat", cacheTtlSeconds: 0 });
      try {
        const created = await flat.set({ name: "app/NEW_KEY", scope: GLOBAL }, { value: "new-value" });
        expect(created.version).toBe(1);
        expect(await rawValue(`${prefix}app/NEW_KEY`)).toBe("new-value");
        const updated = await flat.set({ name: "EXISTING", scope: GLOBAL }, { value: "newer" });
        expect(updated.version).toBe(2);
        expect(await rawValue(`${prefix}EXISTING`)).toBe("newer");
        expect((await flat.get({ name: "EXISTING", scope: GLOBAL }, { version: 1 })).value).toBe("old");
        const names = (
          await raw.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: [prefix] }] }))
        ).SecretList?.map((s) => s.Name).sort();
        expect(names).toEqual([`${prefix}EXISTING`, `${prefix}app/NEW_KEY`]);
        await flat.delete({ name: "app/NEW_KEY", scope: GLOBAL }, { purge: true });
        expect(await codeOf(flat.get({ name: "app/NEW_KEY", scope: GLOBAL }))).toBe("NOT_FOUND");
      } finally {
        await flat.dispose?.();
      }
    });

    it("refuses scoped and env writes with UNSUPPORTED, finds nothing there, and calls AWS for none of it", async () => {
      const prefix = uniquePrefix("flat-refuse");
      const flat = testProvider(proxy.url, { prefix, layout: "flat" });
      try {
        proxy.clearRequests();
        const project = { name: "X", scope: { kind: "project", id: "/home/dev/shop" } } as const;
        const prod = { name: "X", scope: GLOBAL, env: "prod" };
        for (const address of [project, prod]) {
          let caught: unknown;
          try {
            await flat.set(address, { value: "v" });
          } catch (err) {
            caught = err;
          }
          expect(caught).toBeInstanceOf(CofferError);
          expect((caught as CofferError).code).toBe("UNSUPPORTED");
          expect((caught as CofferError).message).toMatch(/flat layout/);
          expect(await codeOf(flat.get(address))).toBe("NOT_FOUND");
          expect(await codeOf(flat.history(address))).toBe("NOT_FOUND");
          expect(await codeOf(flat.delete({ name: "X", scope: address.scope }))).toBe("NOT_FOUND");
        }
        expect((await flat.getMany([project, prod])).map((r) => (r.ok ? "ok" : r.error.code))).toEqual([
          "NOT_FOUND",
          "NOT_FOUND",
        ]);
        // Nothing was written.
        expect(proxy.count({ operation: "PutSecretValue" }) + proxy.count({ operation: "CreateSecret" })).toBe(0);
      } finally {
        await flat.dispose?.();
      }
    });
  });

  describe("empty prefix", () => {
    it("lists only states that get then finds (a tagged secret of another prefix is not listed)", async () => {
      const label = uniquePrefix("noprefix").slice(0, -1).replaceAll("-", "_");
      const other = testProvider(proxy.url, { prefix: "elsewhere/", cacheTtlSeconds: 0 });
      const bare = testProvider(proxy.url, { prefix: "", cacheTtlSeconds: 0 });
      try {
        await other.set({ name: `${label}_TAGGED`, scope: GLOBAL }, { value: "v1" });
        await bare.set({ name: `${label}_MINE`, scope: GLOBAL }, { value: "v2" });
        const items = [];
        let cursor: string | undefined;
        do {
          const page = await bare.list(cursor === undefined ? {} : { cursor });
          items.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        const ours = items.filter((m) => m.name.startsWith(label)).map((m) => m.name);
        expect(ours).toEqual([`${label}_MINE`]);
        for (const item of items) {
          const address = { name: item.name, scope: item.scope, ...(item.env ? { env: item.env } : {}) };
          expect(await codeOf(bare.get(address)), item.name).toBe("resolved");
        }
      } finally {
        await other.dispose?.();
        await bare.dispose?.();
      }
    });
  });

  describe("cold batch reads", () => {
    it("resolve 100 Coffer-written secrets in at most 5 requests, values and metadata right", async () => {
      const prefix = uniquePrefix("cold100");
      const writer = testProvider(moto.endpoint, { prefix });
      const names = Array.from({ length: 100 }, (_, i) => `COLD_${String(i).padStart(3, "0")}`);
      for (let i = 0; i < names.length; i += 20) {
        await Promise.all(
          names.slice(i, i + 20).map((name) => writer.set({ name, scope: GLOBAL }, { value: `v-${name}` })),
        );
      }
      await writer.set({ name: names[5]!, scope: GLOBAL }, { value: "second" });
      const created = (await writer.get({ name: names[5]!, scope: GLOBAL })).createdAt;
      await writer.dispose?.();

      const reader = testProvider(proxy.url, { prefix });
      try {
        proxy.clearRequests();
        const results = await reader.getMany(names.map((name) => ({ name, scope: GLOBAL })));
        expect(proxy.count()).toBeLessThanOrEqual(5);
        expect(results.every((r) => r.ok)).toBe(true);
        const fifth = results[5]!;
        expect(fifth.ok && fifth.secret).toMatchObject({ value: "second", version: 2, createdAt: created });
        expect(results[0]!.ok && results[0]!.secret).toMatchObject({ value: "v-COLD_000", version: 1 });
      } finally {
        await reader.dispose?.();
      }
    });

    it("lists for metadata once a write sets attributes, and never trusts a label another tool's write left behind", async () => {
      const prefix = uniquePrefix("stale");
      const provider = testProvider(proxy.url, { prefix, cacheTtlSeconds: 0 });
      try {
        const address = { name: "KEY", scope: GLOBAL };
        await provider.set(address, { value: "plain" });
        await provider.set(address, { value: "guarded", writeOnly: true, allowedAgentIds: ["agent-1"] });
        proxy.clearRequests();
        const [guarded] = await provider.getMany([address]);
        expect(guarded!.ok && guarded!.secret).toMatchObject({
          value: "guarded",
          writeOnly: true,
          allowedAgentIds: ["agent-1"],
          version: 2,
        });
        expect(
          proxy.count({ operation: "ListSecrets" }) + proxy.count({ operation: "DescribeSecret" }),
        ).toBeGreaterThan(0);

        await provider.set(address, { value: "plain-again" });
        await raw.send(
          new PutSecretValueCommand({ SecretId: `${prefix}global/KEY`, SecretString: "from-another-tool" }),
        );
        const [foreign] = await provider.getMany([address]);
        expect(foreign!.ok && foreign!.secret).toMatchObject({ value: "from-another-tool", version: 4 });
      } finally {
        await provider.dispose?.();
      }
    });
  });
});
