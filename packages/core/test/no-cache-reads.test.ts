import { afterEach, describe, expect, it } from "vitest";
import { createCoffer, GLOBAL_SCOPE, type Provider, ReadCache, type StoredSecret } from "../src/index.js";
import { cleanup, memoryRemoteProvider, tempDir } from "./governance-support.js";

afterEach(cleanup);

/**
 * A remote provider whose reads go through core's ReadCache, as the AWS and Azure providers'
 * do, and whose source can be changed behind its back (another process writing to the cloud).
 */
function cachedRemote() {
  const source = memoryRemoteProvider("cloud");
  const cache = new ReadCache<StoredSecret>(300_000);
  const fetched: string[] = [];
  const provider: Provider = {
    ...source,
    async get(address, options) {
      const read = await cache.read(
        address.name,
        "current",
        async () => {
          fetched.push(address.name);
          return source.get(address, options);
        },
        { fresh: options?.noCache === true },
      );
      return { ...read.value, ...(read.fromCache ? { cachedAgeMs: read.ageMs } : {}) };
    },
  };
  return { provider, source, fetched };
}

describe("reads with noCache", () => {
  it("get and has ask the provider now, and the fresh answer replaces the cached one", async () => {
    const { provider, source, fetched } = cachedRemote();
    await source.set!({ name: "API_KEY", scope: GLOBAL_SCOPE }, { value: "first-value" });
    const coffer = createCoffer({ providers: [provider], cwd: tempDir(), env: {}, audit: false });
    try {
      expect((await coffer.get("API_KEY", { scope: "global", reveal: true })).value).toBe("first-value");
      // Another writer changes the cloud copy: a plain read still answers from the cache.
      await source.set!({ name: "API_KEY", scope: GLOBAL_SCOPE }, { value: "second-value" });
      const cached = await coffer.get("API_KEY", { scope: "global", reveal: true });
      expect(cached.value).toBe("first-value");
      expect(cached.provenance.cacheAgeMs).toBeGreaterThanOrEqual(0);
      const fresh = await coffer.get("API_KEY", { scope: "global", reveal: true, noCache: true });
      expect(fresh.value).toBe("second-value");
      expect(fresh.provenance.cacheAgeMs).toBeUndefined();
      expect((await coffer.get("API_KEY", { scope: "global", reveal: true })).value).toBe("second-value");
      const before = fetched.length;
      expect(await coffer.has("API_KEY", { scope: "global", noCache: true })).toBe(true);
      expect(fetched.length).toBe(before + 1);
    } finally {
      await coffer.dispose();
    }
  });
});
