import { describe, expect, it } from "vitest";
import { ReadCache } from "../src/read-cache.js";

describe("ReadCache", () => {
  it("serves a value until its time to live ends", async () => {
    let now = 0;
    let loads = 0;
    const cache = new ReadCache<string>(1000, () => now);
    const load = async () => `v${++loads}`;
    expect(await cache.get("a", "current", load)).toBe("v1");
    now = 999;
    expect(await cache.get("a", "current", load)).toBe("v1");
    now = 1000;
    expect(await cache.get("a", "current", load)).toBe("v2");
  });

  it("does not cache a load that was running when its group was invalidated", async () => {
    const cache = new ReadCache<string>(60_000);
    let release!: (value: string) => void;
    const stale = cache.get("a", "current", () => new Promise((resolve) => (release = resolve)));
    cache.invalidate("a");
    const fresh = cache.get("a", "current", async () => "after-write");
    release("before-write");
    expect(await stale).toBe("before-write");
    expect(await fresh).toBe("after-write");
    expect(await cache.get("a", "current", async () => "unexpected load")).toBe("after-write");
  });

  it("never caches failures", async () => {
    const cache = new ReadCache<string>(60_000);
    await expect(cache.get("a", "x", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await cache.get("a", "x", async () => "ok")).toBe("ok");
  });
});
