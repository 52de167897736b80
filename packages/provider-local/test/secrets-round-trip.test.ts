import { randomBytes } from "node:crypto";
import { isCofferError, MAX_VALUE_BYTES } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { GLOBAL, manualClock, openLocal, TEST_KEY_HEX, tempHome } from "./support/temp-home.js";

async function store(extra: Parameters<typeof openLocal>[0] = {}) {
  return openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX, ...extra });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isCofferError(err)) return err.code;
    throw err;
  }
  return "resolved";
}

describe("local provider: values and metadata", () => {
  it("declares kind, name and full capabilities", async () => {
    const p = await store({ name: "vault" });
    expect(p.kind).toBe("local");
    expect(p.name).toBe("vault");
    expect(p.capabilities).toMatchObject({
      write: true,
      delete: true,
      softDelete: true,
      purge: true,
      list: true,
      versions: true,
      conditionalWrite: true,
      binary: true,
      metadata: true,
      envs: true,
      remote: false,
    });
    expect(p.capabilities.scopes).toEqual(["global", "project", "team", "org", "user", "agent", "plugin"]);
  });

  it("round-trips text, binary and 64 KiB values with every attribute", async () => {
    const p = await store();
    const text = "pässwörd ✓ \u{1F511}";
    const meta = await p.set(
      { name: "API_KEY", scope: GLOBAL },
      {
        value: text,
        description: "Stripe live key",
        tags: ["production", "payments"],
        ttlSeconds: 3600,
        expiresAt: "2031-01-01T00:00:00.000Z",
        rotationFormat: "api-key",
        rotationPrefix: "sk_live_",
        allowedAgentIds: ["agent_research"],
        writeOnly: false,
      },
    );
    expect(meta).toMatchObject({ name: "API_KEY", version: 1, encoding: "utf-8", provider: "local" });
    const got = await p.get({ name: "API_KEY", scope: GLOBAL });
    expect(got.value).toBe(text);
    expect(got).toMatchObject({
      description: "Stripe live key",
      tags: ["production", "payments"],
      ttlSeconds: 3600,
      expiresAt: "2031-01-01T00:00:00.000Z",
      rotationFormat: "api-key",
      rotationPrefix: "sk_live_",
      allowedAgentIds: ["agent_research"],
      writeOnly: false,
      scope: { kind: "global" },
      version: 1,
    });
    expect(got.env).toBeUndefined();

    const bytes = randomBytes(MAX_VALUE_BYTES);
    bytes[0] = 0;
    const binary = bytes.toString("base64");
    await p.set(
      { name: "cert.der", scope: { kind: "project", id: "/src/app" } },
      { value: binary, encoding: "base64" },
    );
    const gotBinary = await p.get({ name: "cert.der", scope: { kind: "project", id: "/src/app" } });
    expect(gotBinary.encoding).toBe("base64");
    expect(Buffer.from(gotBinary.value, "base64").equals(bytes)).toBe(true);

    const big = "x".repeat(MAX_VALUE_BYTES);
    await p.set({ name: "BIG", scope: GLOBAL }, { value: big });
    expect((await p.get({ name: "BIG", scope: GLOBAL })).value).toBe(big);
  });

  it("refuses values over 64 KiB and bad base64 without changing anything", async () => {
    const p = await store();
    await expect(
      p.set({ name: "BIG", scope: GLOBAL }, { value: "x".repeat(MAX_VALUE_BYTES + 1) }),
    ).rejects.toMatchObject({
      code: "TOO_LARGE",
    });
    await expect(
      p.set({ name: "BIN", scope: GLOBAL }, { value: "not base64!", encoding: "base64" }),
    ).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    expect((await p.list()).items).toEqual([]);
  });

  it("keeps env states apart and reports a missing secret as NOT_FOUND", async () => {
    const p = await store();
    await p.set({ name: "DB_URL", scope: GLOBAL }, { value: "default-url" });
    await p.set({ name: "DB_URL", scope: GLOBAL, env: "prod" }, { value: "prod-url" });
    expect((await p.get({ name: "DB_URL", scope: GLOBAL })).value).toBe("default-url");
    const prod = await p.get({ name: "DB_URL", scope: GLOBAL, env: "prod" });
    expect(prod).toMatchObject({ value: "prod-url", env: "prod", version: 1 });
    expect(await codeOf(p.get({ name: "DB_URL", scope: GLOBAL, env: "dev" }))).toBe("NOT_FOUND");
    expect(await codeOf(p.get({ name: "DB_URL", scope: { kind: "team", id: "acme" } }))).toBe("NOT_FOUND");
    expect(await codeOf(p.get({ name: "NOPE", scope: GLOBAL }))).toBe("NOT_FOUND");
  });

  it("honours ifVersion and create mode", async () => {
    const p = await store();
    const a = { name: "TOKEN", scope: GLOBAL };
    await p.set(a, { value: "one" }, { ifVersion: 0 });
    await expect(p.set(a, { value: "two" }, { ifVersion: 0 })).rejects.toMatchObject({
      code: "CONFLICT",
      details: { currentVersion: 1 },
    });
    await expect(p.set(a, { value: "two" }, { mode: "create" })).rejects.toMatchObject({ code: "ALREADY_EXISTS" });
    await p.set(a, { value: "two" }, { ifVersion: 1 });
    await expect(p.set(a, { value: "three" }, { ifVersion: 1 })).rejects.toMatchObject({
      code: "CONFLICT",
      details: { currentVersion: 2 },
    });
    expect(await p.get(a)).toMatchObject({ value: "two", version: 2 });
    await expect(p.set({ name: "NEW", scope: GLOBAL }, { value: "x" }, { ifVersion: 3 })).rejects.toMatchObject({
      code: "CONFLICT",
      details: { currentVersion: 0 },
    });
  });

  it("keeps historyLimit versions, newest first, with reasons", async () => {
    const p = await store({ historyLimit: 3 });
    const a = { name: "ROTATING", scope: GLOBAL };
    for (let i = 1; i <= 5; i++) await p.set(a, { value: `v${i}`, reason: i === 5 ? "rotate" : "write" });
    const history = await p.history(a);
    expect(history.map((h) => h.version)).toEqual([5, 4, 3]);
    expect(history.map((h) => h.current)).toEqual([true, false, false]);
    expect(history[0]?.reason).toBe("rotate");
    expect((await p.get(a, { version: 3 })).value).toBe("v3");
    await expect(p.get(a, { version: 2 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await p.get(a)).value).toBe("v5");
  });

  it("expires a previous version after its grace window (injected clock)", async () => {
    const time = manualClock();
    const p = await store({ clock: time.clock });
    const a = { name: "ROTATED", scope: GLOBAL };
    await p.set(a, { value: "old" });
    await p.set(a, { value: "new", reason: "rotate", previousValidForSeconds: 3600 });
    const [current, previous] = await p.history(a);
    expect(current).toMatchObject({ version: 2, current: true, reason: "rotate" });
    expect(current?.validUntil).toBeUndefined();
    expect(previous?.validUntil).toBe("2030-01-01T01:00:00.000Z");
    time.advance(59 * 60_000);
    expect((await p.get(a, { version: 1 })).value).toBe("old");
    time.advance(2 * 60_000);
    await expect(p.get(a, { version: 1 })).rejects.toMatchObject({
      code: "EXPIRED",
      message: expect.stringContaining("2030-01-01T01:00:00.000Z"),
    });
    expect((await p.get(a)).value).toBe("new");
    await p.set(a, { value: "newer", previousValidForSeconds: 0 });
    await expect(p.get(a, { version: 2 })).rejects.toMatchObject({ code: "EXPIRED" });
  });

  it("pages 250 keys by an opaque cursor in scope, name, env order", async () => {
    const p = await store();
    const names = Array.from({ length: 250 }, (_, i) => `KEY_${String(i).padStart(3, "0")}`);
    for (const name of names) await p.set({ name, scope: GLOBAL }, { value: "v" });
    await p.set({ name: "KEY_000", scope: GLOBAL, env: "prod" }, { value: "v" });
    await p.set({ name: "OTHER", scope: { kind: "team", id: "acme" } }, { value: "v" });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await p.list({ scope: GLOBAL, limit: 100, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((m) => `${m.name}${m.env ? `@${m.env}` : ""}`));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(["KEY_000", "KEY_000@prod", ...names.slice(1)]);

    const all = await p.list();
    expect(all.items).toHaveLength(100);
    expect(all.items[0]?.scope).toEqual({ kind: "global" });
    expect((await p.list({ limit: 5000 })).items).toHaveLength(252);
    expect((await p.list({ prefix: "KEY_24" })).items.map((m) => m.name)).toEqual(names.slice(240, 250));
    expect((await p.list({ scope: { kind: "team", id: "acme" } })).items.map((m) => m.name)).toEqual(["OTHER"]);
    await expect(p.list({ cursor: "garbage!" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("reads many secrets at once, one result per address", async () => {
    const p = await store();
    await p.set({ name: "A", scope: GLOBAL }, { value: "a" });
    await p.set({ name: "B", scope: GLOBAL, env: "dev" }, { value: "b" });
    const results = await p.getMany([
      { name: "A", scope: GLOBAL },
      { name: "MISSING", scope: GLOBAL },
      { name: "B", scope: GLOBAL, env: "dev" },
    ]);
    expect(results[0]).toMatchObject({ ok: true, secret: { value: "a" } });
    expect(results[1]).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(results[2]).toMatchObject({ ok: true, secret: { value: "b", env: "dev" } });
  });

  it("reports health and refuses work after dispose", async () => {
    const p = await store();
    expect(await p.health()).toMatchObject({ ok: true });
    await p.dispose();
    await expect(p.get({ name: "A", scope: GLOBAL })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect((await p.health()).ok).toBe(false);
  });

  it("rejects malformed addresses and options with INVALID_ARGUMENT", async () => {
    const p = await store();
    await expect(p.get({ name: "", scope: GLOBAL })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(p.get({ name: "A", scope: { kind: "team" } })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(p.get({ name: "A", scope: GLOBAL, env: "default" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(p.set({ name: "A", scope: GLOBAL }, { value: "x" }, { ifVersion: -1 })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(p.set({ name: "A", scope: GLOBAL }, { value: "x", tags: "nope" as never })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    expect((await p.list()).items).toEqual([]);
  });
});
