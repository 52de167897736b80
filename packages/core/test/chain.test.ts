import { describe, expect, it } from "vitest";
import { CofferError, FallbackChain, GLOBAL_SCOPE, type Provider, type StoredSecret } from "../src/index.js";

/** A read-only provider answering from a fixed map, or failing with a given code. */
function fixed(
  name: string,
  values: Record<string, string>,
  failWith?: "UNAVAILABLE" | "PERMISSION_DENIED",
): Provider & { calls: number } {
  const p = {
    name,
    kind: "test",
    calls: 0,
    capabilities: {
      write: false,
      delete: false,
      softDelete: false,
      purge: false,
      list: false,
      versions: false,
      conditionalWrite: false,
      binary: false,
      metadata: false,
      envs: false,
      scopes: ["global"],
      remote: false,
    } as const,
    async get(address: { name: string }): Promise<StoredSecret> {
      p.calls++;
      if (failWith) throw new CofferError(failWith, `${name} is down`);
      const value = values[address.name];
      if (value === undefined) throw new CofferError("NOT_FOUND", "missing");
      return {
        name: address.name,
        scope: GLOBAL_SCOPE,
        version: 1,
        encoding: "utf-8",
        createdAt: "",
        updatedAt: "",
        provider: name,
        value,
      };
    },
  };
  return p;
}

const addr = (name: string) => [{ name, scope: GLOBAL_SCOPE }];

describe("fallback chain", () => {
  it("reads by priority and reports which provider answered", async () => {
    const chain = new FallbackChain([
      { provider: fixed("low", { A: "from-low", B: "b-low" }), priority: 10 },
      { provider: fixed("high", { A: "from-high" }), priority: 100 },
    ]);
    expect(chain.entries.map((e) => e.provider.name)).toEqual(["high", "low"]);
    const a = await chain.resolve(addr("A"));
    expect(a.provider.name).toBe("high");
    expect(a.secret.value).toBe("from-high");
    const b = await chain.resolve(addr("B"));
    expect(b.provider.name).toBe("low");
    expect(b.outcomes).toEqual([
      { provider: "high", outcome: "miss" },
      { provider: "low", outcome: "hit" },
    ]);
  });

  it("skips a failing provider under fallthrough and reports its error with the result", async () => {
    const chain = new FallbackChain([
      { provider: fixed("cloud", {}, "UNAVAILABLE"), priority: 100 },
      { provider: fixed("local", { A: "v" }), priority: 50 },
    ]);
    const hit = await chain.resolve(addr("A"));
    expect(hit.provider.name).toBe("local");
    expect(hit.outcomes[0]).toMatchObject({ provider: "cloud", outcome: "error", code: "UNAVAILABLE" });
  });

  it("fails the read on any provider failure under strict", async () => {
    const chain = new FallbackChain(
      [
        { provider: fixed("cloud", {}, "PERMISSION_DENIED"), priority: 100 },
        { provider: fixed("local", { A: "v" }), priority: 50 },
      ],
      "strict",
    );
    await expect(chain.resolve(addr("A"))).rejects.toMatchObject({
      code: "UNAVAILABLE",
      details: { provider: "cloud" },
    });
  });

  it("lists every provider's outcome when all miss or fail", async () => {
    const chain = new FallbackChain([
      { provider: fixed("cloud", {}, "UNAVAILABLE"), priority: 100 },
      { provider: fixed("local", {}), priority: 50 },
    ]);
    const err = (await chain.resolve(addr("Z")).catch((e) => e)) as CofferError;
    expect(err.code).toBe("UNAVAILABLE");
    expect(err.details.outcomes).toEqual([
      { provider: "cloud", outcome: "error", code: "UNAVAILABLE", message: "cloud is down" },
      { provider: "local", outcome: "miss" },
    ]);
    const allMiss = new FallbackChain([{ provider: fixed("local", {}), priority: 1 }]);
    await expect(allMiss.resolve(addr("Z"))).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'secret "Z" not found',
    });
  });

  it("does not retry a provider that already failed within one read", async () => {
    const cloud = fixed("cloud", {}, "UNAVAILABLE");
    const chain = new FallbackChain([
      { provider: cloud, priority: 100 },
      { provider: fixed("local", { A: "v" }), priority: 50 },
    ]);
    await chain.resolve([...addr("X"), ...addr("A")]);
    expect(cloud.calls).toBe(1);
  });

  it("rejects duplicate provider names and an empty chain", () => {
    expect(() => new FallbackChain([])).toThrow("no provider is configured");
    expect(
      () =>
        new FallbackChain([
          { provider: fixed("a", {}), priority: 1 },
          { provider: fixed("a", {}), priority: 2 },
        ]),
    ).toThrow(/unique/);
  });
});

describe("fallback chain and tampering", () => {
  it("surfaces INTEGRITY from a provider instead of falling through to the next one", async () => {
    const tampered: Provider = {
      ...fixed("local", {}),
      async get() {
        throw new CofferError("INTEGRITY", "version 1 of A failed to authenticate");
      },
    };
    const chain = new FallbackChain([
      { provider: tampered, priority: 50 },
      { provider: fixed("env", { A: "from-env" }), priority: 10 },
    ]);
    await expect(chain.resolve(addr("A"))).rejects.toMatchObject({ code: "INTEGRITY" });
  });
});
