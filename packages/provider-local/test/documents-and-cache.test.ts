import { describe, expect, it } from "vitest";
import { manualClock, openLocal, TEST_KEY_HEX, tempHome, withRawDb } from "./support/temp-home.js";

describe("local provider: service documents", () => {
  it("stores, lists and deletes encrypted JSON documents", async () => {
    const p = openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX });
    await p.documents.put("hooks", "b", { url: "https://example.test/hook", events: ["write"] });
    await p.documents.put("hooks", "a", { token_hash: "abc" });
    await p.documents.put("tokens", "a", 42);
    expect(await p.documents.get("hooks", "b")).toEqual({ url: "https://example.test/hook", events: ["write"] });
    expect(await p.documents.get("hooks", "missing")).toBeUndefined();
    expect(await p.documents.list("hooks")).toEqual([
      { key: "a", value: { token_hash: "abc" } },
      { key: "b", value: { url: "https://example.test/hook", events: ["write"] } },
    ]);
    expect(await p.documents.delete("hooks", "a")).toBe(true);
    expect(await p.documents.delete("hooks", "a")).toBe(false);
    await expect(p.documents.put("hooks", "bad", () => 1)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await p.dispose();
    const raw = withRawDb(p.storePath, (db) => db.prepare("SELECT ciphertext FROM documents").all()) as Array<{
      ciphertext: Buffer;
    }>;
    expect(raw.some((r) => r.ciphertext.includes("example.test"))).toBe(false);
  });

  it("update reads the current value, writes the result, and deletes on undefined", async () => {
    const home = await tempHome();
    const one = openLocal({ home, masterKey: TEST_KEY_HEX });
    const two = openLocal({ home, masterKey: TEST_KEY_HEX });
    const bump = (n: number | undefined) => (n ?? 0) + 1;
    expect(await one.documents.update<number>("counters", "c", bump)).toBe(1);
    expect(await two.documents.update<number>("counters", "c", bump)).toBe(2);
    expect(await one.documents.get("counters", "c")).toBe(2);
    expect(await two.documents.update<number>("counters", "c", () => undefined)).toBeUndefined();
    expect(await one.documents.get("counters", "c")).toBeUndefined();
  });

  it("leaves a document unchanged when the update function throws", async () => {
    const p = openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX });
    await p.documents.put("approvals", "x", { state: "pending" });
    const boom = new Error("policy says no");
    await expect(
      p.documents.update("approvals", "x", () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await p.documents.get("approvals", "x")).toEqual({ state: "pending" });
  });

  it("detects a document moved to another key", async () => {
    const p = openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX });
    await p.documents.put("tokens", "alice", { scopes: ["read"] });
    await p.documents.put("tokens", "mallory", { scopes: [] });
    withRawDb(p.storePath, (db) =>
      db
        .prepare(
          "UPDATE documents SET ciphertext = (SELECT ciphertext FROM documents WHERE key = 'alice') WHERE key = 'mallory'",
        )
        .run(),
    );
    await expect(p.documents.get("tokens", "mallory")).rejects.toMatchObject({ code: "INTEGRITY" });
    expect((await p.verifyIntegrity()).problems).toHaveLength(1);
  });
});

describe("local provider: last-known-good cache", () => {
  it("puts, gets and deletes encrypted copies with meta and time", async () => {
    const time = manualClock();
    const p = openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX, clock: time.clock });
    expect(await p.cache.get("aws", "prod/db")).toBeUndefined();
    await p.cache.put("aws", "prod/db", "remote-secret-value", { version: "v7", provider: "aws" });
    time.advance(1000);
    await p.cache.put("azure", "prod/db", "other");
    expect(await p.cache.get("aws", "prod/db")).toEqual({
      value: "remote-secret-value",
      storedAt: "2030-01-01T00:00:00.000Z",
      meta: { version: "v7", provider: "aws" },
    });
    expect(await p.cache.get("azure", "prod/db")).toEqual({ value: "other", storedAt: "2030-01-01T00:00:01.000Z" });
    await p.cache.delete("aws", "prod/db");
    expect(await p.cache.get("aws", "prod/db")).toBeUndefined();
    await p.dispose();
    const bytes = withRawDb(p.storePath, (db) => db.prepare("SELECT ciphertext FROM cache_entries").all()) as Array<{
      ciphertext: Buffer;
    }>;
    expect(bytes).toHaveLength(1);
    expect(bytes[0]?.ciphertext.includes("other")).toBe(false);
  });

  it("rejects a cache entry whose stored time was altered", async () => {
    const p = openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX });
    await p.cache.put("aws", "k", "v");
    withRawDb(p.storePath, (db) => db.prepare("UPDATE cache_entries SET stored_at = '2099-01-01T00:00:00.000Z'").run());
    await expect(p.cache.get("aws", "k")).rejects.toMatchObject({ code: "INTEGRITY" });
  });
});
