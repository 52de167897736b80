import { describe, expect, it } from "vitest";
import { ReadCache } from "../src/index.js";

describe("remote: read cache", () => {
  it("serves a value until its time to live ends, reporting its age and that it came from memory", async () => {
    let now = 0;
    let loads = 0;
    const cache = new ReadCache<string>(1000, () => now);
    const load = async () => `v${++loads}`;
    expect(await cache.read("a", "current", load)).toEqual({ value: "v1", ageMs: 0, fromCache: false });
    now = 999;
    expect(await cache.read("a", "current", load)).toEqual({ value: "v1", ageMs: 999, fromCache: true });
    expect(cache.peek("a", "current")?.ageMs).toBe(999);
    now = 1000;
    expect(cache.peek("a", "current")).toBeUndefined();
    expect(await cache.read("a", "current", load)).toEqual({ value: "v2", ageMs: 0, fromCache: false });
    expect(cache.stats()).toEqual({ hits: 1, misses: 2, size: 1 });
  });

  it("shares one fetch between concurrent reads of one item", async () => {
    const cache = new ReadCache<string>(60_000);
    let loads = 0;
    let release!: (v: string) => void;
    const load = () => {
      loads++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const reads = [
      cache.read("a", "current", load),
      cache.read("a", "current", load),
      cache.read("a", "current", load),
    ];
    release("shared");
    expect((await Promise.all(reads)).map((r) => r.value)).toEqual(["shared", "shared", "shared"]);
    expect(loads).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1 });
  });

  it("does not cache a load that was running when its group was invalidated", async () => {
    const cache = new ReadCache<string>(60_000);
    let release!: (value: string) => void;
    const stale = cache.read("a", "current", () => new Promise((resolve) => (release = resolve)));
    cache.invalidate("a");
    const fresh = cache.read("a", "current", async () => "after-write");
    release("before-write");
    expect((await stale).value).toBe("before-write");
    expect((await fresh).value).toBe("after-write");
    expect((await cache.read("a", "current", async () => "unexpected load")).value).toBe("after-write");
  });

  it("invalidates every item of a group and nothing else", async () => {
    const cache = new ReadCache<string>(60_000);
    await cache.read("a", "current", async () => "a-current");
    await cache.read("a", "v1", async () => "a-v1");
    await cache.read("ab", "current", async () => "ab-current");
    cache.invalidate("a");
    expect(cache.peek("a", "current")).toBeUndefined();
    expect(cache.peek("a", "v1")).toBeUndefined();
    expect(cache.peek("ab", "current")?.value).toBe("ab-current");
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it("never caches failures", async () => {
    const cache = new ReadCache<string>(60_000);
    await expect(cache.read("a", "x", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect((await cache.read("a", "x", async () => "ok")).value).toBe("ok");
  });

  it("with a TTL of 0 stores nothing but still shares concurrent fetches", async () => {
    const cache = new ReadCache<string>(0);
    let loads = 0;
    const load = async () => `v${++loads}`;
    const [a, b] = await Promise.all([cache.read("g", "i", load), cache.read("g", "i", load)]);
    expect([a.value, b.value]).toEqual(["v1", "v1"]);
    expect((await cache.read("g", "i", load)).value).toBe("v2");
    expect(cache.size).toBe(0);
  });

  it("lets batch readers look up, count, and store unless the group changed meanwhile", () => {
    const cache = new ReadCache<string>(60_000);
    expect(cache.lookup("a", "current")).toBeUndefined();
    const generation = cache.generation("a");
    cache.storeIfUnchanged("a", "current", generation, "batched");
    expect(cache.lookup("a", "current")?.value).toBe("batched");
    const before = cache.generation("b");
    cache.invalidate("b");
    cache.storeIfUnchanged("b", "current", before, "stale");
    expect(cache.peek("b", "current")).toBeUndefined();
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, size: 1 });
  });
});
