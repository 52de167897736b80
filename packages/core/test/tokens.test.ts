import { describe, expect, it } from "vitest";
import { CofferError } from "../src/index.js";
import { API_TOKENS_COLLECTION, apiTokens, TOKEN_SCOPES } from "../src/tokens/index.js";
import { memoryDocuments, rejection } from "./governance-support.js";

function fixedClock(start = "2030-01-01T00:00:00.000Z") {
  let now = Date.parse(start);
  return { clock: () => new Date(now), advance: (ms: number) => (now += ms) };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  return (await rejection(p)).code;
}

describe("apiTokens", () => {
  it("creates a cfr_ base62 token, stores only its SHA-256 hash, and verifies it", async () => {
    const docs = memoryDocuments();
    const tokens = apiTokens(docs);
    const { token, info } = await tokens.create({
      name: "ci",
      scopes: ["secrets:read", "audit:read"],
      pattern: "api-*",
    });
    expect(token).toMatch(/^cfr_[0-9A-Za-z]{43}$/);
    expect(info).toMatchObject({ name: "ci", scopes: ["secrets:read", "audit:read"], pattern: "api-*" });
    expect(info.id).toBe(token.slice(4, 16));
    expect(info).not.toHaveProperty("hash");
    expect(docs.dump()).not.toContain(token.slice(4));
    const stored = await docs.get<{ hash: string }>(API_TOKENS_COLLECTION, info.id);
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
    const verified = await tokens.verify(token);
    expect(verified).toMatchObject({ id: info.id, name: "ci", scopes: info.scopes, pattern: "api-*" });
    expect(verified).not.toHaveProperty("hash");
  });

  it("gives every token a distinct value and id", async () => {
    const tokens = apiTokens(memoryDocuments());
    const made = await Promise.all(
      Array.from({ length: 40 }, (_, i) => tokens.create({ name: `t${i}`, scopes: ["secrets:read"] })),
    );
    expect(new Set(made.map((m) => m.token)).size).toBe(40);
    expect(new Set(made.map((m) => m.info.id)).size).toBe(40);
  });

  it("answers UNAUTHENTICATED with one message for malformed, unknown, wrong, revoked and expired tokens", async () => {
    const { clock, advance } = fixedClock();
    const tokens = apiTokens(memoryDocuments(), { clock });
    const good = await tokens.create({ name: "a", scopes: ["admin"], expiresInSeconds: 3600 });
    const revoked = await tokens.create({ name: "b", scopes: ["admin"] });
    await tokens.revoke("b");
    const lastChar = good.token.at(-1) === "A" ? "B" : "A";
    const candidates = [
      "",
      "Bearer x",
      "cfr_short",
      `cfr_${"0".repeat(43)}`,
      good.token.slice(0, -1) + lastChar, // right id, wrong secret part
      `${good.token} `,
      revoked.token,
    ];
    const messages = new Set<string>();
    for (const candidate of candidates) {
      const err = await tokens.verify(candidate).catch((e: unknown) => e);
      expect(err, candidate).toBeInstanceOf(CofferError);
      expect((err as CofferError).code).toBe("UNAUTHENTICATED");
      messages.add((err as CofferError).message);
    }
    await expect(tokens.verify(good.token)).resolves.toMatchObject({ name: "a" });
    advance(3600 * 1000);
    const expired = await rejection(tokens.verify(good.token));
    expect(expired.code).toBe("UNAUTHENTICATED");
    messages.add(expired.message);
    expect(messages.size).toBe(1);
    expect([...messages][0]).not.toContain(good.token);
  });

  it("sets expiresAt from the clock and lists expired tokens with it", async () => {
    const { clock } = fixedClock("2030-01-01T00:00:00.000Z");
    const tokens = apiTokens(memoryDocuments(), { clock });
    const { info } = await tokens.create({ name: "short", scopes: ["secrets:read"], expiresInSeconds: 30 * 86400 });
    expect(info.createdAt).toBe("2030-01-01T00:00:00.000Z");
    expect(info.expiresAt).toBe("2030-01-31T00:00:00.000Z");
  });

  it("revokes by name or by id, once", async () => {
    const tokens = apiTokens(memoryDocuments());
    const a = await tokens.create({ name: "one", scopes: ["secrets:read"] });
    const b = await tokens.create({ name: "two", scopes: ["secrets:read"] });
    expect(await tokens.revoke("one")).toBe(true);
    expect(await tokens.revoke("one")).toBe(false);
    expect(await tokens.revoke(b.info.id)).toBe(true);
    expect(await tokens.revoke(b.info.id)).toBe(false);
    expect(await tokens.revoke("nobody")).toBe(false);
    await expect(codeOf(tokens.verify(a.token))).resolves.toBe("UNAUTHENTICATED");
    const listed = await tokens.list();
    expect(listed.map((t) => t.name).sort()).toEqual(["one", "two"]);
    for (const t of listed) expect(t.revokedAt).toEqual(expect.any(String));
  });

  it("refuses a duplicate active name but allows it again after revocation or expiry", async () => {
    const { clock, advance } = fixedClock();
    const tokens = apiTokens(memoryDocuments(), { clock });
    await tokens.create({ name: "deploy", scopes: ["secrets:read"], expiresInSeconds: 60 });
    await expect(codeOf(tokens.create({ name: "deploy", scopes: ["admin"] }))).resolves.toBe("ALREADY_EXISTS");
    advance(61_000);
    const second = await tokens.create({ name: "deploy", scopes: ["admin"] });
    await expect(codeOf(tokens.create({ name: "deploy", scopes: ["admin"] }))).resolves.toBe("ALREADY_EXISTS");
    await tokens.revoke("deploy");
    const third = await tokens.create({ name: "deploy", scopes: ["admin"] });
    expect(third.info.id).not.toBe(second.info.id);
    expect((await tokens.list()).length).toBe(3);
  });

  it("validates scopes, listing the valid ones, and keeps them in canonical order without duplicates", async () => {
    const tokens = apiTokens(memoryDocuments());
    const err = await rejection(tokens.create({ name: "x", scopes: ["secrets:read", "secrets:everything"] }));
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.message).toContain('"secrets:everything"');
    for (const scope of TOKEN_SCOPES) expect(err.message).toContain(scope);
    await expect(codeOf(tokens.create({ name: "x", scopes: [] }))).resolves.toBe("INVALID_ARGUMENT");
    const { info } = await tokens.create({ name: "x", scopes: ["admin", "secrets:read", "admin"] });
    expect(info.scopes).toEqual(["secrets:read", "admin"]);
  });

  it("validates names, patterns and lifetimes and stores nothing on rejection", async () => {
    const docs = memoryDocuments();
    const tokens = apiTokens(docs);
    const bad: Array<Parameters<typeof tokens.create>[0]> = [
      { name: "", scopes: ["admin"] },
      { name: "has space", scopes: ["admin"] },
      { name: "-dash-first", scopes: ["admin"] },
      { name: "x".repeat(65), scopes: ["admin"] },
      { name: "ok", scopes: ["admin"], pattern: "" },
      { name: "ok", scopes: ["admin"], pattern: "api key" },
      { name: "ok", scopes: ["admin"], expiresInSeconds: 0 },
      { name: "ok", scopes: ["admin"], expiresInSeconds: 1.5 },
      { name: "ok", scopes: ["admin"], expiresInSeconds: 11 * 365 * 86400 },
    ];
    for (const input of bad) {
      await expect(codeOf(tokens.create(input)), JSON.stringify(input)).resolves.toBe("INVALID_ARGUMENT");
    }
    expect(await tokens.list()).toEqual([]);
    await tokens.create({ name: "A.b_c-9", scopes: ["export"], pattern: "openai/*_key?" });
  });

  it("records lastUsedAt at most once a minute", async () => {
    const { clock, advance } = fixedClock("2030-01-01T00:00:00.000Z");
    const tokens = apiTokens(memoryDocuments(), { clock });
    const { token } = await tokens.create({ name: "u", scopes: ["secrets:read"] });
    expect((await tokens.list())[0]?.lastUsedAt).toBeUndefined();
    await tokens.verify(token);
    expect((await tokens.list())[0]?.lastUsedAt).toBe("2030-01-01T00:00:00.000Z");
    advance(30_000);
    await tokens.verify(token);
    expect((await tokens.list())[0]?.lastUsedAt).toBe("2030-01-01T00:00:00.000Z");
    advance(31_000);
    const info = await tokens.verify(token);
    expect(info.lastUsedAt).toBe("2030-01-01T00:01:01.000Z");
  });

  it("lists oldest first", async () => {
    const { clock, advance } = fixedClock();
    const tokens = apiTokens(memoryDocuments(), { clock });
    for (const name of ["zeta", "alpha", "mid"]) {
      await tokens.create({ name, scopes: ["secrets:read"] });
      advance(1000);
    }
    expect((await tokens.list()).map((t) => t.name)).toEqual(["zeta", "alpha", "mid"]);
  });

  describe("with documents that report changes (a server verifying on every request)", () => {
    function countingDocuments() {
      const docs = memoryDocuments();
      let epoch = 0;
      let reads = 0;
      const bump = <T>(p: Promise<T>) => p.finally(() => epoch++);
      return {
        ...docs,
        get: <T>(c: string, k: string) => {
          reads++;
          return docs.get<T>(c, k);
        },
        put: (c: string, k: string, v: unknown) => bump(docs.put(c, k, v)),
        delete: (c: string, k: string) => bump(docs.delete(c, k)),
        update: <T>(c: string, k: string, fn: (cur: T | undefined) => T | undefined) => bump(docs.update<T>(c, k, fn)),
        epoch: () => epoch,
        reads: () => reads,
      };
    }

    it("verifies a known token without reading it again, until a document changes", async () => {
      const docs = countingDocuments();
      const tokens = apiTokens(docs);
      const { token } = await tokens.create({ name: "ci", scopes: ["secrets:read"] });
      await tokens.verify(token); // records lastUsedAt: a write
      await tokens.verify(token);
      const before = docs.reads();
      for (let i = 0; i < 10; i++) expect((await tokens.verify(token)).name).toBe("ci");
      expect(docs.reads()).toBe(before);
      await docs.put("other", "x", 1);
      await tokens.verify(token);
      expect(docs.reads()).toBe(before + 1);
    });

    it("refuses a remembered token once another instance revokes it, or a wrong token sharing its id", async () => {
      const docs = countingDocuments();
      const server = apiTokens(docs);
      const cli = apiTokens(docs);
      const { token } = await cli.create({ name: "ci", scopes: ["secrets:read"] });
      await server.verify(token);
      await server.verify(token);
      const forged = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
      expect(await codeOf(server.verify(forged))).toBe("UNAUTHENTICATED");
      expect(await cli.revoke("ci")).toBe(true);
      expect(await codeOf(server.verify(token))).toBe("UNAUTHENTICATED");
    });

    it("refuses a remembered token once it expires", async () => {
      const docs = countingDocuments();
      const c = fixedClock();
      const tokens = apiTokens(docs, { clock: c.clock });
      const { token } = await tokens.create({ name: "short", scopes: ["secrets:read"], expiresInSeconds: 60 });
      await tokens.verify(token);
      await tokens.verify(token);
      c.advance(59_000);
      expect((await tokens.verify(token)).name).toBe("short");
      c.advance(1_000);
      expect(await codeOf(tokens.verify(token))).toBe("UNAUTHENTICATED");
    });
  });
});
