import type { Coffer, CofferError, HookPayload } from "@coffer/core";
import { afterEach, describe, expect, it } from "vitest";
import { freshCoffer, tempDir, testClock } from "./helpers.js";

const opened: Coffer[] = [];
function track<T extends { coffer: Coffer }>(x: T): T {
  opened.push(x.coffer);
  return x;
}
afterEach(async () => {
  while (opened.length) await opened.pop()!.dispose();
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as CofferError).code;
  }
  return undefined;
}

const agent = (id: string) => ({ id, kind: "agent" as const, frontEnd: "mcp" as const });

describe("service: set, get, versions", () => {
  it("stores, masks by default, reveals on request and reports provenance", async () => {
    const { coffer } = track(freshCoffer());
    const w = await coffer.set("api-key-stripe", "sk_live_abcdefghijklmnopqrstuvwxyz0123xyz", {
      tags: ["prod", "stripe"],
    });
    expect(w).toMatchObject({ name: "api-key-stripe", version: 1, provider: "local", scopeLabel: "global" });
    const masked = await coffer.get("api-key-stripe");
    expect(masked.value).toBeUndefined();
    expect(masked.maskedValue.endsWith("xyz")).toBe(true);
    expect(masked.maskedValue).not.toContain("abcdefghij");
    expect(masked.tags).toEqual(["prod", "stripe"]);
    expect(masked.provenance.provider).toBe("local");
    const revealed = await coffer.get("api-key-stripe", { reveal: true, purpose: "test" });
    expect(revealed.value).toBe("sk_live_abcdefghijklmnopqrstuvwxyz0123xyz");
  });

  it("keeps history, reads old versions, and rolls back by writing a new version", async () => {
    const { coffer } = track(freshCoffer());
    await coffer.set("DB_PASSWORD", "one");
    await coffer.set("DB_PASSWORD", "two");
    await coffer.set("DB_PASSWORD", "three");
    const history = await coffer.history("DB_PASSWORD");
    expect(history.map((h) => [h.version, h.current])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
    expect((await coffer.get("DB_PASSWORD", { version: 1, reveal: true })).value).toBe("one");
    const rb = await coffer.rollback("DB_PASSWORD", 1);
    expect(rb.version).toBe(4);
    expect((await coffer.get("DB_PASSWORD", { reveal: true })).value).toBe("one");
  });

  it("keeps attributes across updates unless replaced", async () => {
    const { coffer } = track(freshCoffer());
    await coffer.set("K", "v1", {
      description: "the key",
      tags: ["a"],
      rotationFormat: "api-key",
      rotationPrefix: "sk-",
    });
    await coffer.set("K", "v2");
    const g = await coffer.get("K");
    expect(g).toMatchObject({
      description: "the key",
      tags: ["a"],
      rotationFormat: "api-key",
      rotationPrefix: "sk-",
      version: 2,
    });
  });

  it("gives exactly one winner among parallel writers using ifVersion", async () => {
    const { coffer } = track(freshCoffer());
    await coffer.set("COUNTER", "0");
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => coffer.set("COUNTER", String(i + 1), { ifVersion: 1 })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as CofferError).code).toBe("CONFLICT");
  });

  it("refuses bad input with coded errors and changes nothing", async () => {
    const { coffer } = track(freshCoffer());
    expect(await codeOf(coffer.set("foo bar", "x"))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(coffer.set("BIG", "x".repeat(64 * 1024 + 1)))).toBe("TOO_LARGE");
    expect(await codeOf(coffer.set("EMPTY", ""))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(coffer.set("LONE", "\ud800"))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(coffer.set("DESC", "x", { description: "é".repeat(513) }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(coffer.set("B64", "not base64!", { encoding: "base64" }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(coffer.set("COFFER_MASTER_KEY", "x"))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(coffer.set("T", "x", { scope: "team" }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(coffer.set("T", "x", { ttlSeconds: -5 }))).toBe("INVALID_ARGUMENT");
    expect((await coffer.list()).items).toEqual([]);
    // exactly 64 KiB is fine, binary too
    await coffer.set("MAX", "y".repeat(64 * 1024));
    await coffer.set("BIN", Buffer.from([0, 255, 1, 254]).toString("base64"), { encoding: "base64" });
    expect((await coffer.get("BIN", { reveal: true })).value).toBe("AP8B/g==");
  });

  it("never puts a value into an error message", async () => {
    const { coffer } = track(freshCoffer());
    const sentinel = "SENTINEL-VALUE-93f1";
    const errors: string[] = [];
    for (const p of [
      coffer.set("bad name", sentinel),
      coffer.set("X", sentinel, { ifVersion: 9 }),
      coffer.set("X", `${sentinel}${"z".repeat(70000)}`),
      coffer.import(`BAD LINE ${sentinel}`, { format: "env" }),
    ]) {
      try {
        await p;
      } catch (err) {
        errors.push(JSON.stringify({ m: (err as Error).message, d: (err as CofferError).details }));
      }
    }
    expect(errors).toHaveLength(4);
    for (const e of errors) expect(e).not.toContain(sentinel);
  });
});

describe("service: scopes and environments", () => {
  it("cascades project -> team -> org -> global on reads", async () => {
    const cwd = tempDir("coffer-proj-");
    const { coffer } = track(freshCoffer({ cwd, teamId: "platform", orgId: "acme" }));
    await coffer.set("TOKEN", "global-v");
    expect((await coffer.get("TOKEN", { reveal: true })).value).toBe("global-v");
    await coffer.set("TOKEN", "org-v", { scope: "org" });
    expect((await coffer.get("TOKEN", { reveal: true })).provenance.scope).toEqual({ kind: "org", id: "acme" });
    await coffer.set("TOKEN", "team-v", { scope: "team" });
    expect((await coffer.get("TOKEN", { reveal: true })).value).toBe("team-v");
    await coffer.set("TOKEN", "project-v", { scope: "project" });
    const p = await coffer.get("TOKEN", { reveal: true });
    expect(p.value).toBe("project-v");
    expect(p.provenance.scope).toEqual({ kind: "project", id: cwd });
    expect((await coffer.get("TOKEN", { scope: "global", reveal: true })).value).toBe("global-v");
  });

  it("keeps project secrets per project root", async () => {
    const a = tempDir("coffer-pa-");
    const b = tempDir("coffer-pb-");
    const { coffer } = track(freshCoffer({ cwd: a }));
    await coffer.set("P", "in-a", { scope: "project" });
    expect(await codeOf(coffer.get("P", { scope: "project", projectPath: b }))).toBe("NOT_FOUND");
    expect(await codeOf(coffer.get("P", { scope: "project", projectPath: "relative/path" }))).toBe("INVALID_ARGUMENT");
  });

  it("holds per-env values beside the default and resolves the env in force", async () => {
    const { coffer } = track(freshCoffer());
    await coffer.set("DATABASE_URL", "postgres://default");
    await coffer.set("DATABASE_URL", "postgres://prod", { env: "prod" });
    expect((await coffer.get("DATABASE_URL", { reveal: true })).value).toBe("postgres://default");
    const prod = await coffer.get("DATABASE_URL", { env: "prod", reveal: true });
    expect(prod.value).toBe("postgres://prod");
    expect(prod.provenance).toMatchObject({ env: "prod", envSource: "argument" });
    // an env without its own state falls back to the default state
    expect((await coffer.get("DATABASE_URL", { env: "staging", reveal: true })).value).toBe("postgres://default");
    const list = await coffer.list();
    expect(list.items[0]!.envs.sort()).toEqual(["default", "prod"]);
    // registering an env with an empty value is allowed; without env it is not
    await coffer.set("NEW_ONE", "", { env: "dev" });
  });

  it("reads COFFER_ENV through detectEnvironment", async () => {
    const { coffer } = track(freshCoffer({ env: { COFFER_ENV: "prod" } }));
    await coffer.set("U", "d");
    await coffer.set("U", "p", { env: "prod" });
    expect((await coffer.get("U", { reveal: true })).value).toBe("p");
    expect(await coffer.detectEnvironment()).toMatchObject({ env: "prod", source: "COFFER_ENV" });
  });
});

describe("service: expiry, rotation, delete", () => {
  it("decays with ttlSeconds: stale at 75%, expired still readable but has() false", async () => {
    const clock = testClock();
    const { coffer } = track(freshCoffer({ clock: clock.now }));
    await coffer.set("SESSION", "abc123456", { ttlSeconds: 100 });
    expect(await coffer.has("SESSION")).toBe(true);
    clock.advance(80);
    expect((await coffer.get("SESSION")).decay.state).toBe("stale");
    clock.advance(30);
    expect((await coffer.get("SESSION")).decay.state).toBe("expired");
    expect(await coffer.has("SESSION")).toBe(false);
    const health = await coffer.health();
    expect(health.expired.map((e) => e.name)).toContain("SESSION");
  });

  it("fails reads after a hard expiresAt with EXPIRED naming the time, unless allowExpired", async () => {
    const clock = testClock("2026-06-01T00:00:00.000Z");
    const { coffer } = track(freshCoffer({ clock: clock.now }));
    await coffer.set("TEMP", "xyz12345", { expiresAt: "2026-06-02" });
    clock.advance(2 * 86400);
    const err = (await coffer.get("TEMP").catch((e) => e)) as CofferError;
    expect(err.code).toBe("EXPIRED");
    expect(err.message).toContain("2026-06-02T00:00:00.000Z");
    expect((await coffer.get("TEMP", { allowExpired: true, reveal: true })).value).toBe("xyz12345");
    expect(await coffer.has("TEMP")).toBe(false);
  });

  it("rotates with a grace period for the old version, or expires it", async () => {
    const clock = testClock();
    const { coffer } = track(freshCoffer({ clock: clock.now }));
    await coffer.set("API_TOKEN", "old-value-1", { rotationFormat: "api-key", rotationPrefix: "sk-" });
    const r = await coffer.rotate("API_TOKEN");
    expect(r).toMatchObject({ oldVersion: 1, newVersion: 2, generated: true, provider: "local" });
    const now = await coffer.get("API_TOKEN", { reveal: true });
    expect(now.value!.startsWith("sk-")).toBe(true);
    expect((await coffer.get("API_TOKEN", { version: 1, reveal: true })).value).toBe("old-value-1");
    clock.advance(31 * 86400);
    expect(await codeOf(coffer.get("API_TOKEN", { version: 1, reveal: true }))).toBe("EXPIRED");
    const r2 = await coffer.rotate("API_TOKEN", { value: "given-value", expireOld: true });
    expect(r2.oldValidUntil).toBeUndefined();
    expect(await codeOf(coffer.get("API_TOKEN", { version: 2, reveal: true }))).toBe("EXPIRED");
  });

  it("deletes recoverably, restores with all versions, purges irrecoverably", async () => {
    const { coffer } = track(freshCoffer());
    await coffer.set("GONE", "a1");
    await coffer.set("GONE", "a2");
    const d = await coffer.delete("GONE");
    expect(d).toMatchObject({ removedFrom: ["local"], versionsDeleted: 2, purged: false });
    expect(await codeOf(coffer.get("GONE"))).toBe("NOT_FOUND");
    expect((await coffer.list()).items).toHaveLength(0);
    expect((await coffer.list({ includeDeleted: true })).items).toHaveLength(1);
    await coffer.restore("GONE");
    expect((await coffer.get("GONE", { reveal: true })).value).toBe("a2");
    expect((await coffer.history("GONE")).length).toBe(2);
    await coffer.delete("GONE", { purge: true });
    expect(await codeOf(coffer.restore("GONE"))).toBe("NOT_FOUND");
  });

  it("writes a deleted name again: a live secret with its deleted versions in history; delete --purge of a deleted one", async () => {
    const { coffer } = track(freshCoffer());
    await coffer.set("REUSED", "a1");
    await coffer.delete("REUSED");
    const written = await coffer.set("REUSED", "b2");
    expect(written).toMatchObject({ version: 2, replacedDeleted: true });
    expect((await coffer.get("REUSED", { reveal: true })).value).toBe("b2");
    expect((await coffer.history("REUSED")).map((v) => v.version)).toEqual([2, 1]);
    await coffer.delete("REUSED");
    expect(await coffer.delete("REUSED", { purge: true })).toMatchObject({ purged: true, removedFrom: ["local"] });
    expect((await coffer.list({ includeDeleted: true })).items).toHaveLength(0);
  });
});

describe("service: access rules", () => {
  it("requires a purpose for agents to reveal, and refuses write-only secrets and non-allowed agents", async () => {
    const { coffer } = track(freshCoffer());
    await coffer.set("WO", "hidden-value", { writeOnly: true });
    await coffer.set("RESTRICTED", "value-123456", { allowedAgentIds: ["builder"] });
    const builder = coffer.withAccessor(agent("builder"));
    const other = coffer.withAccessor(agent("other"));
    expect(await codeOf(builder.get("RESTRICTED", { reveal: true }))).toBe("INVALID_ARGUMENT");
    expect((await builder.get("RESTRICTED", { reveal: true, purpose: "deploy" })).value).toBe("value-123456");
    expect(await codeOf(other.get("RESTRICTED", { reveal: true, purpose: "deploy" }))).toBe("PERMISSION_DENIED");
    expect(await codeOf(other.get("RESTRICTED"))).toBe("PERMISSION_DENIED");
    expect(await codeOf(other.set("RESTRICTED", "overwrite"))).toBe("PERMISSION_DENIED");
    expect(await codeOf(other.delete("RESTRICTED"))).toBe("PERMISSION_DENIED");
    expect(await codeOf(coffer.get("WO", { reveal: true }))).toBe("PERMISSION_DENIED");
    expect((await coffer.get("WO")).maskedValue).toBe("(write-only)");
    const inj = await coffer.resolveForInjection({ only: ["WO"] });
    expect(inj.vars).toEqual({ WO: "hidden-value" });
    // without names, an agent gets what it may use; naming a forbidden one is an error
    const all = await other.resolveForInjection();
    expect(Object.keys(all.vars).sort()).toEqual(["WO"]);
    expect(await codeOf(other.resolveForInjection({ only: ["RESTRICTED"] }))).toBe("PERMISSION_DENIED");
    expect((await other.list()).items.map((i) => i.name)).toEqual(["WO"]);
    expect((await builder.list()).items.map((i) => i.name).sort()).toEqual(["RESTRICTED", "WO"]);
  });

  it("audits reads, reveals with purpose, writes and denials, never values", async () => {
    const { coffer } = track(freshCoffer());
    await coffer.set("AUD", "audited-secret-value");
    await coffer.get("AUD");
    await coffer.withAccessor(agent("a1")).get("AUD", { reveal: true, purpose: "call the API" });
    await coffer.set("WO2", "x-value", { writeOnly: true });
    await codeOf(coffer.get("WO2", { reveal: true }));
    const entries = await coffer.audit({ limit: 100 });
    const actions = entries.map((e) => `${e.action}:${e.accessor}:${e.success}`);
    expect(actions).toContain("reveal:a1:true");
    expect(entries.find((e) => e.action === "reveal" && e.accessor === "a1")!.purpose).toBe("call the API");
    expect(actions.some((a) => a.startsWith("write:"))).toBe(true);
    expect(actions.some((a) => a.startsWith("read:"))).toBe(true);
    expect(entries.find((e) => e.action === "policy-deny")?.details).toMatchObject({ rule: "secret:writeOnly" });
    expect(JSON.stringify(entries)).not.toContain("audited-secret-value");
    expect((await coffer.verifyAudit()).ok).toBe(true);
    const summary = await coffer.auditSummary();
    expect(summary.failed).toBeGreaterThan(0);
  });
});

describe("service: entanglement, import/export, hooks, generation, chain", () => {
  it("propagates writes across entangled secrets and refuses cycles", async () => {
    const { coffer } = track(freshCoffer());
    await coffer.set("A", "same-1");
    await coffer.set("B", "b-old");
    await coffer.set("C", "c-old");
    await coffer.entangle("A", "B");
    await coffer.entangle("B", "C");
    const w = await coffer.set("A", "same-2");
    expect(w.entangled.sort()).toEqual(["B", "C"]);
    expect((await coffer.get("C", { reveal: true })).value).toBe("same-2");
    expect(await codeOf(coffer.entangle("C", "A"))).toBe("CONFLICT");
    expect((await coffer.inspect("A")).entangledWith.sort()).toEqual(["B", "C"]);
    await coffer.rotate("C", { value: "rotated-3" });
    expect((await coffer.get("A", { reveal: true })).value).toBe("rotated-3");
    expect((await coffer.disentangle("A", "B")).removed).toBe(true);
    await coffer.set("A", "alone");
    expect((await coffer.get("B", { reveal: true })).value).toBe("rotated-3");
  });

  it("imports .env with dry run and skip-existing, and exports metadata unless values are asked", async () => {
    const { coffer } = track(freshCoffer());
    await coffer.set("EXISTING", "keep");
    const text = 'EXISTING=new\nNEW_ONE="hello world"\nexport THIRD=3\nNEW_ONE=again\n';
    const dry = await coffer.import(text, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, created: 2, updated: 1 });
    expect(dry.warnings.some((w) => w.includes("NEW_ONE"))).toBe(true);
    expect(await codeOf(coffer.get("THIRD"))).toBe("NOT_FOUND");
    const real = await coffer.import(text, { skipExisting: true });
    expect(real).toMatchObject({ created: 2, skipped: 1, updated: 0 });
    expect((await coffer.get("NEW_ONE", { reveal: true })).value).toBe("again");
    expect((await coffer.get("EXISTING", { reveal: true })).value).toBe("keep");
    const meta = await coffer.export();
    expect(meta.every((m) => m.value === undefined)).toBe(true);
    const withValues = await coffer.export({ includeValues: true, pattern: "NEW_*" });
    expect(withValues).toEqual([expect.objectContaining({ name: "NEW_ONE", value: "again" })]);
    expect(await codeOf(coffer.import("BAD LINE", { format: "env" }))).toBe("INVALID_ARGUMENT");
  });

  it("runs before-hooks that can veto and after-hooks that never carry the value", async () => {
    const seen: HookPayload[] = [];
    const { coffer } = track(
      freshCoffer({
        hooks: [
          {
            id: "guard",
            phase: "before",
            match: { events: ["write"], names: ["prod-*"] },
            run: async () => ({ veto: "prod secrets are managed by CI" }),
          },
          { id: "spy", phase: "after", match: {}, run: async (p) => void seen.push(p) },
          {
            id: "broken",
            phase: "after",
            match: { events: ["delete"] },
            run: async () => {
              throw new Error("boom");
            },
          },
        ],
      }),
    );
    const err = (await coffer.set("prod-db", "v").catch((e) => e)) as CofferError;
    expect(err.code).toBe("PERMISSION_DENIED");
    expect(err.message).toContain("prod secrets are managed by CI");
    expect(await codeOf(coffer.get("prod-db"))).toBe("NOT_FOUND");
    await coffer.set("dev-db", "hook-sentinel-value");
    expect(seen[0]).toMatchObject({ event: "write", phase: "after", name: "dev-db", version: 1 });
    expect(JSON.stringify(seen)).not.toContain("hook-sentinel-value");
    const del = await coffer.delete("dev-db");
    expect(del.hooks).toEqual([
      { hook: "spy", ok: true },
      { hook: "broken", ok: false, message: "hook failed" },
    ]);
  });

  it("generates values and saves without returning them", async () => {
    const { coffer } = track(freshCoffer());
    const g = await coffer.generate({ format: "hex", length: 16 });
    expect(g.value).toMatch(/^[0-9a-f]{32}$/);
    const saved = await coffer.generate({ format: "api-key", prefix: "sk-", saveAs: "GEN_KEY" });
    expect(saved.value).toBeUndefined();
    expect(saved.saved?.version).toBe(1);
    const stored = await coffer.get("GEN_KEY", { reveal: true });
    expect(stored.value!.startsWith("sk-")).toBe(true);
    expect(stored.rotationFormat).toBe("api-key");
  });

  it("falls back to the env provider, shows shadowing in list and reports health", async () => {
    const { coffer } = track(
      freshCoffer({ envVars: { COFFER_SECRET_FROM_ENV: "env-value", COFFER_SECRET_BOTH: "env-both" } }),
    );
    const r = await coffer.get("FROM_ENV", { reveal: true });
    expect(r.value).toBe("env-value");
    expect(r.provenance.provider).toBe("env");
    expect(r.provenance.outcomes).toEqual([
      { provider: "local", outcome: "miss" },
      { provider: "env", outcome: "hit" },
    ]);
    await coffer.set("BOTH", "local-both");
    const list = await coffer.list();
    const both = list.items.filter((i) => i.name === "BOTH");
    expect(both.map((b) => [b.provider, b.shadowed])).toEqual([
      ["local", false],
      ["env", true],
    ]);
    expect(await codeOf(coffer.set("X", "y", { provider: "env" }))).toBe("UNSUPPORTED");
    const h = await coffer.health();
    expect(h.ok).toBe(true);
    expect(h.chain).toEqual(["local", "env"]);
    const inj = await coffer.resolveForInjection();
    expect(inj.vars).toMatchObject({ FROM_ENV: "env-value", BOTH: "local-both" });
  });
});
