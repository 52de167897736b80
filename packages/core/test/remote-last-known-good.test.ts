import { describe, expect, it } from "vitest";
import {
  CofferError,
  type ErrorCode,
  FallbackChain,
  GLOBAL_SCOPE,
  type LastKnownGood,
  type Provider,
  type RememberedSecret,
  type SecretAddress,
  type StoredSecret,
  scopeKey,
} from "../src/index.js";

const NOW = Date.parse("2030-01-01T12:00:00.000Z");

/** Last-known-good copies in memory, stamped by a test clock. */
class MemoryLastKnownGood implements LastKnownGood {
  readonly copies = new Map<string, RememberedSecret>();
  writes = 0;
  failWrites = false;
  failReads: ErrorCode | undefined;
  constructor(
    private readonly clock: { now: number },
    private readonly maxStale: Record<string, number> = {},
  ) {}
  private key(provider: string, a: SecretAddress) {
    return JSON.stringify([provider, scopeKey(a.scope), a.name, a.env ?? ""]);
  }
  async remember(provider: string, address: SecretAddress, secret: StoredSecret) {
    this.writes++;
    if (this.failWrites) throw new CofferError("UNAVAILABLE", "store locked");
    this.copies.set(this.key(provider, address), {
      secret: { ...secret },
      storedAt: new Date(this.clock.now).toISOString(),
    });
  }
  async recall(provider: string, address: SecretAddress) {
    if (this.failReads) throw new CofferError(this.failReads, "cannot read the cache");
    return this.copies.get(this.key(provider, address));
  }
  async forget(provider: string, address: SecretAddress) {
    this.copies.delete(this.key(provider, address));
  }
  maxStaleSeconds(provider: string) {
    return this.maxStale[provider] ?? 86_400;
  }
}

/** A provider answering from a map, switchable to fail with a code; `remote` as asked. */
function fakeProvider(name: string, remote: boolean, values: Record<string, string> = {}) {
  const p = {
    name,
    kind: "test",
    calls: 0,
    failWith: undefined as ErrorCode | undefined,
    cachedAgeMs: undefined as number | undefined,
    values,
    capabilities: {
      write: false,
      delete: false,
      softDelete: false,
      purge: false,
      list: false,
      versions: true,
      conditionalWrite: false,
      binary: false,
      metadata: false,
      envs: true,
      scopes: ["global", "project"],
      remote,
    } as const,
    async get(address: SecretAddress, options?: { version?: number }): Promise<StoredSecret> {
      p.calls++;
      if (p.failWith) throw new CofferError(p.failWith, `${name}: injected ${p.failWith}`);
      const value = p.values[`${scopeKey(address.scope)}/${address.name}`];
      if (value === undefined) throw new CofferError("NOT_FOUND", "missing");
      const secret: StoredSecret = {
        name: address.name,
        scope: address.scope,
        version: options?.version ?? 1,
        encoding: "utf-8",
        createdAt: "2030-01-01T00:00:00.000Z",
        updatedAt: "2030-01-01T00:00:00.000Z",
        provider: name,
        value,
      };
      if (p.cachedAgeMs !== undefined) secret.cachedAgeMs = p.cachedAgeMs;
      return secret;
    },
  };
  return p satisfies Provider;
}

const PROJECT = { kind: "project", id: "/work/shop" } as const;
const global = (name: string): SecretAddress[] => [{ name, scope: GLOBAL_SCOPE }];

function setup(maxStale: Record<string, number> = {}, offline = false) {
  const clock = { now: NOW };
  const lkg = new MemoryLastKnownGood(clock, maxStale);
  const aws = fakeProvider("aws", true, { "global/DB_URL": "postgres://remote" });
  const local = fakeProvider("local", false, { "global/LOCAL_ONLY": "here" });
  const chain = new FallbackChain(
    [
      { provider: aws, priority: 90 },
      { provider: local, priority: 50 },
    ],
    { lastKnownGood: lkg, offline, clock: () => new Date(clock.now) },
  );
  return { clock, lkg, aws, local, chain };
}

async function failure(p: Promise<unknown>): Promise<CofferError> {
  try {
    await p;
  } catch (err) {
    return err as CofferError;
  }
  throw new Error("expected a failure");
}

describe("fallback chain: last-known-good cache", () => {
  it("remembers a fresh remote read and serves it, with its age, when the provider becomes unreachable", async () => {
    const { clock, lkg, aws, chain } = setup();
    const fresh = await chain.resolve(global("DB_URL"));
    expect(fresh.freshness).toEqual({});
    expect(lkg.writes).toBe(1);

    aws.failWith = "UNAVAILABLE";
    clock.now += 3 * 60_000 + 10_000;
    const stale = await chain.resolve(global("DB_URL"));
    expect(stale.secret.value).toBe("postgres://remote");
    expect(stale.provider.name).toBe("aws");
    expect(stale.freshness).toEqual({
      cacheAgeMs: 190_000,
      staleWarning: "served from the last-known-good cache: aws unreachable; value is 3m old",
    });
    expect(stale.outcomes).toEqual([
      {
        provider: "aws",
        outcome: "error",
        code: "UNAVAILABLE",
        message: "aws: injected UNAVAILABLE; served from the last-known-good cache (3m old)",
      },
    ]);
  });

  it("refuses a copy older than maxStaleSeconds and reports why per provider", async () => {
    const { clock, aws, chain } = setup({ aws: 600 });
    await chain.resolve(global("DB_URL"));
    aws.failWith = "UNAVAILABLE";
    clock.now += 601_000;
    const e = await failure(chain.resolve(global("DB_URL")));
    expect(e.code).toBe("UNAVAILABLE");
    expect(e.details.outcomes).toEqual([
      {
        provider: "aws",
        outcome: "error",
        code: "UNAVAILABLE",
        message: "aws: injected UNAVAILABLE; the last-known-good copy is 10m old, beyond maxStaleSeconds (600 s)",
      },
      { provider: "local", outcome: "miss" },
    ]);
    expect(e.message).toContain("beyond maxStaleSeconds (600 s)");
  });

  it("never answers PERMISSION_DENIED from the cache, and drops the copy", async () => {
    const { lkg, aws, chain } = setup();
    await chain.resolve(global("DB_URL"));
    aws.failWith = "PERMISSION_DENIED";
    const e = await failure(chain.resolve(global("DB_URL")));
    expect(e.code).toBe("UNAVAILABLE");
    expect(e.details.outcomes?.[0]).toMatchObject({ provider: "aws", outcome: "error", code: "PERMISSION_DENIED" });
    expect(lkg.copies.size).toBe(0);
    aws.failWith = "UNAVAILABLE";
    expect((await failure(chain.resolve(global("DB_URL")))).code).toBe("UNAVAILABLE");
  });

  it("drops the copies of every candidate a refused read would have fallen back to", async () => {
    const { lkg, aws, chain } = setup();
    await chain.resolve(global("DB_URL"));
    aws.failWith = "PERMISSION_DENIED";
    const cascade = [
      { name: "DB_URL", scope: PROJECT },
      { name: "DB_URL", scope: GLOBAL_SCOPE },
    ];
    expect((await failure(chain.resolve(cascade))).code).toBe("UNAVAILABLE");
    expect(lkg.copies.size).toBe(0); // refused on the project candidate; the global copy is gone too
    aws.failWith = "UNAVAILABLE";
    expect((await failure(chain.resolve(cascade))).code).toBe("UNAVAILABLE");
  });

  it("treats NOT_FOUND as a miss, never answered from the cache, and drops the copy", async () => {
    const { lkg, aws, chain } = setup();
    await chain.resolve(global("DB_URL"));
    delete aws.values["global/DB_URL"];
    expect((await failure(chain.resolve(global("DB_URL")))).code).toBe("NOT_FOUND");
    expect(lkg.copies.size).toBe(0);
  });

  it("answers for the unreachable provider at its own priority, before lower providers, across the scope cascade", async () => {
    const { aws, local, chain } = setup();
    await chain.resolve(global("DB_URL"));
    local.values["global/DB_URL"] = "postgres://local-copy";
    aws.failWith = "UNAVAILABLE";
    const hit = await chain.resolve([
      { name: "DB_URL", scope: PROJECT },
      { name: "DB_URL", scope: GLOBAL_SCOPE },
    ]);
    expect(hit.secret.value).toBe("postgres://remote");
    expect(hit.provider.name).toBe("aws");
    expect(aws.calls).toBe(2); // the first read, then one failed call: no call for the second candidate
    expect(hit.outcomes.map((o) => [o.provider, o.outcome])).toEqual([
      ["aws", "error"],
      ["local", "miss"],
    ]);
  });

  it("offline: answers remote providers from the cache without calling them", async () => {
    const { aws, lkg, chain: online, clock, local } = setup();
    await online.resolve(global("DB_URL"));
    const callsBefore = aws.calls;
    const offline = new FallbackChain(
      [
        { provider: aws, priority: 90 },
        { provider: local, priority: 50 },
      ],
      { lastKnownGood: lkg, offline: true, clock: () => new Date(clock.now + 42_000) },
    );
    const hit = await offline.resolve(global("DB_URL"));
    expect(hit.secret.value).toBe("postgres://remote");
    expect(hit.freshness.staleWarning).toBe(
      "served from the last-known-good cache: aws not contacted (offline); value is 42s old",
    );
    expect((await offline.resolve(global("LOCAL_ONLY"))).secret.value).toBe("here");
    const e = await failure(offline.resolve(global("NEVER_READ")));
    expect(e.code).toBe("UNAVAILABLE");
    expect(e.details.outcomes?.[0]).toEqual({
      provider: "aws",
      outcome: "skipped",
      message: "not contacted (offline); no last-known-good copy is kept",
    });
    expect(aws.calls).toBe(callsBefore);
    expect((await offline.health())[0]?.health).toMatchObject({ ok: false, message: "not contacted (offline)" });
    expect(aws.calls).toBe(callsBefore);
  });

  it("reports a provider cache hit as cacheAgeMs and does not write it to the cache again", async () => {
    const { lkg, aws, chain } = setup();
    aws.cachedAgeMs = 1234;
    const hit = await chain.resolve(global("DB_URL"));
    expect(hit.freshness).toEqual({ cacheAgeMs: 1234 });
    expect(lkg.writes).toBe(0);
  });

  it("keeps and serves current versions only", async () => {
    const { lkg, aws, chain } = setup();
    await chain.resolve(global("DB_URL"), { version: 1 });
    expect(lkg.writes).toBe(0);
    await chain.resolve(global("DB_URL"));
    aws.failWith = "UNAVAILABLE";
    const e = await failure(chain.resolve(global("DB_URL"), { version: 1 }));
    expect(e.code).toBe("UNAVAILABLE");
    expect(e.details.outcomes?.[0]?.message).toContain("the last-known-good cache keeps current versions only");
  });

  it("never fails a read because the copy could not be written; tampering with the cache is INTEGRITY", async () => {
    const { lkg, aws, chain } = setup();
    lkg.failWrites = true;
    expect((await chain.resolve(global("DB_URL"))).secret.value).toBe("postgres://remote");
    lkg.failWrites = false;
    await chain.resolve(global("DB_URL"));
    aws.failWith = "UNAVAILABLE";
    lkg.failReads = "INTEGRITY";
    expect((await failure(chain.resolve(global("DB_URL")))).code).toBe("INTEGRITY");
  });

  it("serves the copy under strict too, but fails at once when there is none", async () => {
    const clock = { now: NOW };
    const lkg = new MemoryLastKnownGood(clock);
    const aws = fakeProvider("aws", true, { "global/DB_URL": "postgres://remote" });
    const local = fakeProvider("local", false, { "global/OTHER": "x" });
    const chain = new FallbackChain(
      [
        { provider: aws, priority: 90 },
        { provider: local, priority: 50 },
      ],
      { policy: "strict", lastKnownGood: lkg, clock: () => new Date(clock.now) },
    );
    await chain.resolve(global("DB_URL"));
    aws.failWith = "UNAVAILABLE";
    expect((await chain.resolve(global("DB_URL"))).freshness.staleWarning).toMatch(/aws unreachable/);
    const e = await failure(chain.resolve(global("OTHER")));
    expect(e.code).toBe("UNAVAILABLE");
    expect(e.message).toBe("provider aws failed: aws: injected UNAVAILABLE; no last-known-good copy is kept");
  });

  it("leaves non-remote providers and chains without a cache as they were", async () => {
    const local = fakeProvider("local", false, {});
    const aws = fakeProvider("aws", true, {});
    aws.failWith = "UNAVAILABLE";
    const chain = new FallbackChain([
      { provider: aws, priority: 90 },
      { provider: local, priority: 50 },
    ]);
    expect(chain.policy).toBe("fallthrough");
    expect(chain.offline).toBe(false);
    const e = await failure(chain.resolve(global("X")));
    expect(e.code).toBe("UNAVAILABLE");
    expect(e.details.outcomes?.[0]).toEqual({
      provider: "aws",
      outcome: "error",
      code: "UNAVAILABLE",
      message: "aws: injected UNAVAILABLE",
    });
  });
});
