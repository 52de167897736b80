import { statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, createWorld, envelope } from "./cli-harness.js";

const STRIPE = "sk_live_51HqLyjWDarjtT1zdp7dcXyz";

describe("coffer set / get / list / has", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld();
    const r = await w.run(["set", "api-key-stripe", "--tags", "production,stripe,payment"], { input: `${STRIPE}\n` });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => w.cleanup());

  it("stores a piped value and never echoes it", async () => {
    const r = await w.run(["set", "database-password"], { input: "s3cr3t-db-pass\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^✓ Secret 'database-password' stored successfully\n {2}Provider: local\n {2}Version: 1\n {2}Scope: global\n {2}Created: \d{4}-/,
    );
    expect(r.stdout + r.stderr).not.toContain("s3cr3t-db-pass");
    expect(r.stderr).toBe("");
  });

  it("warns when the value is given as an argument, and strips only the final newline of piped input", async () => {
    const r = await w.run(["set", "api-key-github", "ghp_abc123xyz789"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/visible in shell history and process lists/);
    expect(r.stdout).not.toContain("ghp_abc123xyz789");
    const plain = await w.run(["get", "api-key-github", "--plain"]);
    expect(plain.stdout).toBe("ghp_abc123xyz789\n");
  });

  it("prints the masked block with the last 3 characters", async () => {
    const r = await w.run(["get", "api-key-stripe"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("Secret: api-key-stripe");
    expect(lines[1]).toBe("Provider: local");
    expect(lines[2]).toBe("Version: 1");
    expect(lines[3]).toMatch(/^Value: sk_live_\*+Xyz$/);
    expect(lines[4]).toMatch(/^Created: \d{4}-\d{2}-\d{2}T/);
    expect(lines[5]).toMatch(/^Updated: /);
    expect(lines[6]).toBe("Scope: global");
    expect(lines[7]).toBe("Tags: production, stripe, payment");
    expect(r.stdout).not.toContain(STRIPE);
  });

  it("prints the whole value with --show-full and only the value with --plain", async () => {
    const full = await w.run(["get", "api-key-stripe", "--show-full"]);
    expect(full.stdout).toContain(`Value: ${STRIPE}\n`);
    const plain = await w.run(["get", "api-key-stripe", "--plain"]);
    expect(plain.stdout).toBe(`${STRIPE}\n`);
  });

  it("gives a stable --json envelope without the value unless asked", async () => {
    const r = await w.run(["get", "api-key-stripe", "--json"]);
    const body = envelope<{ found: boolean; secret: Record<string, unknown> }>(r);
    expect(body.ok).toBe(true);
    expect(body.data.found).toBe(true);
    expect(body.data.secret).toMatchObject({
      name: "api-key-stripe",
      provider: "local",
      version: 1,
      scopeLabel: "global",
    });
    expect(body.data.secret.value).toBeUndefined();
    expect(r.stdout).not.toContain(STRIPE);
    const full = envelope<{ secret: { value: string } }>(
      await w.run(["get", "api-key-stripe", "--json", "--show-full"]),
    );
    expect(full.data.secret.value).toBe(STRIPE);
  });

  it("treats a missing secret as a notice, and as exit 3 with --required", async () => {
    const notice = await w.run(["get", "no-such-secret"]);
    expect(notice.code).toBe(0);
    expect(notice.stdout).toBe("");
    expect(notice.stderr).toMatch(/Secret 'no-such-secret' not found/);
    const required = await w.run(["get", "no-such-secret", "--required"]);
    expect(required.code).toBe(3);
    expect(required.stderr).toMatch(/^✗ Error: .*not found/);
    const json = envelope(await w.run(["get", "no-such-secret", "--required", "--json"]));
    expect(json).toEqual({ ok: false, error: expect.objectContaining({ code: "NOT_FOUND" }) });
  });

  it("never prints a write-only secret", async () => {
    const set = await w.run(["set", "deploy-key", "--write-only"], { input: "wo-value-123456" });
    expect(set.code).toBe(0);
    const masked = await w.run(["get", "deploy-key"]);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain("Value: (write-only)");
    for (const flag of ["--show-full", "--plain"]) {
      const r = await w.run(["get", "deploy-key", flag]);
      expect(r.code).toBe(6);
      expect(r.stdout + r.stderr).not.toContain("wo-value-123456");
      expect(r.stderr).toMatch(/write-only/);
    }
  });

  it("refuses to read a secret past its hard expiry (exit 8) unless --allow-expired", async () => {
    const set = await w.run(["set", "old-token", "--expires", "2020-01-01"], { input: "expired-value-999" });
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/⚠ Its hard expiry is already past: reads fail unless --allow-expired/);
    const r = await w.run(["get", "old-token", "--plain"]);
    expect(r.code).toBe(8);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/expired/);
    expect(r.stderr).not.toContain("expired-value-999");
    const allowed = await w.run(["get", "old-token", "--plain", "--allow-expired"]);
    expect(allowed.stdout).toBe("expired-value-999\n");
  });

  it("notes a stale secret", async () => {
    // A 1-second TTL is fully used after a short wait: expired but still readable.
    await w.run(["set", "short-lived", "--ttl", "1"], { input: "short-lived-value" });
    await new Promise((r) => setTimeout(r, 1200));
    const r = await w.run(["get", "short-lived"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/⚠ Expired: 'short-lived' is past its TTL/);
    expect(r.stdout).toMatch(/coffer rotate short-lived/);
  });

  it("lists secrets in a table with a total, and as JSON", async () => {
    const r = await w.run(["list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Secrets \(\d+ total\):\n\n┌/);
    expect(r.stdout).toMatch(/│ Name +│ Provider │ Version │ Scope +│ Tags +│ Status +│/);
    expect(r.stdout).toMatch(/│ api-key-stripe +│ local +│ 1 +│ global │ production, stripe, payment │/);
    expect(r.stdout).not.toContain("old-token");
    const withExpired = await w.run(["list", "--include-expired"]);
    expect(withExpired.stdout).toMatch(/old-token .*expired/);
    const pattern = envelope<{ items: Array<{ name: string }>; total: number }>(
      await w.run(["list", "--pattern", "api-key-*", "--json"]),
    );
    expect(pattern.data.items.map((i) => i.name).sort()).toEqual(["api-key-github", "api-key-stripe"]);
    expect(pattern.data.total).toBe(2);
    const tags = envelope<{ items: Array<{ name: string }> }>(await w.run(["list", "--tags", "stripe", "--json"]));
    expect(tags.data.items.map((i) => i.name)).toEqual(["api-key-stripe"]);
  });

  it("marks a secret shadowed by a higher-priority provider", async () => {
    await w.run(["set", "SHADOW_KEY"], { input: "from-local-store" });
    const env = { COFFER_SECRET_SHADOW_KEY: "from-env-provider" };
    const items = envelope<{ items: Array<{ name: string; provider: string; shadowed: boolean }> }>(
      await w.run(["list", "--json"], { env }),
    ).data.items;
    expect(items.filter((i) => i.name === "SHADOW_KEY")).toEqual([
      expect.objectContaining({ provider: "local", shadowed: false }),
      expect.objectContaining({ provider: "env", shadowed: true }),
    ]);
    const text = await w.run(["list"], { env });
    expect(text.stdout).toMatch(/│ SHADOW_KEY +│ env +│ .*shadowed/);
    expect(text.stdout).toMatch(/shadowed: a higher-priority provider holds the same name and scope/);
    expect(text.stdout + text.stderr).not.toContain("from-env-provider");
  });

  it("reports existence through the exit code of has", async () => {
    expect((await w.run(["has", "api-key-stripe"])).code).toBe(0);
    const missing = await w.run(["has", "nope-missing", "--quiet"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toBe("");
    expect((await w.run(["has", "old-token"])).code).toBe(1);
  });

  it("reads { name, plaintext_value, description } with --from-json", async () => {
    const payload = JSON.stringify({
      name: "DATADOG_API_KEY",
      plaintext_value: "dd-abc123",
      description: "Datadog API key for agent metrics",
    });
    const r = await w.run(["set", "DATADOG_API_KEY", "--from-json"], { input: payload });
    expect(r.code).toBe(0);
    const get = await w.run(["get", "DATADOG_API_KEY"]);
    expect(get.stdout).toContain("Description: Datadog API key for agent metrics");
    const missing = await w.run(["set", "DATADOG_API_KEY", "--from-json"], {
      input: JSON.stringify({ name: "DATADOG_API_KEY" }),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/plaintext_value is required/);
    const json = envelope(
      await w.run(["set", "X_KEY", "--from-json", "--json"], { input: "{not json: sk_live_leak}" }),
    );
    expect(json.error.code).toBe("INVALID_ARGUMENT");
    expect(JSON.stringify(json)).not.toContain("sk_live_leak");
  });

  it("generates a value without printing it", async () => {
    const r = await w.run(["set", "gen-token", "--generate", "api-key", "--rotation-prefix", "sk_test_"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Generated: api-key, \d+ characters .*not shown/);
    const value = (await w.run(["get", "gen-token", "--plain"])).stdout.trim();
    expect(value).toMatch(/^sk_test_/);
    expect(r.stdout).not.toContain(value);
  });

  it("honours --if-version and reports a conflict with exit 5", async () => {
    const r = await w.run(["set", "api-key-stripe", "--if-version", "7"], { input: "new-value-abc" });
    expect(r.code).toBe(5);
    expect(r.stderr).not.toContain("new-value-abc");
  });

  it("refuses to prompt without a terminal, naming what supplies the value", async () => {
    // stdin is a terminal but --non-interactive forbids prompting.
    const r = await w.runInTerminal(["set", "prompt-off", "--non-interactive"], []);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/prompting is off/);
    expect(r.stdout).toMatch(/pipe the value on stdin/);
  });

  it("reads a value from a hidden prompt in a terminal, without echo", async () => {
    const r = await w.runInTerminal(
      ["set", "typed-secret"],
      [{ when: /input hidden\): $/, send: "typed-hidden-value\r" }],
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Secret 'typed-secret' stored successfully/);
    expect(r.stdout).not.toContain("typed-hidden-value");
    expect((await w.run(["get", "typed-secret", "--plain"])).stdout).toBe("typed-hidden-value\n");
  });

  it("keeps the store and key file private", () => {
    expect(statSync(`${w.home}/store.db`).mode & 0o777).toBe(0o600);
    expect(statSync(`${w.home}/master.key`).mode & 0o777).toBe(0o600);
  });
});

describe("coffer rotate / history / rollback / inspect", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld();
    await w.run(["set", "api-token"], { input: "token-v1-value" });
    await w.run(["set", "api-token"], { input: "token-v2-value" });
  });
  afterAll(() => w.cleanup());

  it("rotates to a piped value and keeps the old version valid for the grace period", async () => {
    const r = await w.run(["rotate", "api-token"], { input: "token-v3-value\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      "✓ Secret 'api-token' rotated successfully\n  Old version: 2 (still valid for 30 days)\n  New version: 3\n  Provider: local\n",
    );
    expect((await w.run(["get", "api-token", "--plain"])).stdout).toBe("token-v3-value\n");
    expect((await w.run(["get", "api-token", "--plain", "--version", "2"])).stdout).toBe("token-v2-value\n");
  });

  it("rotates with a generated value, a custom grace, or expiring the old version", async () => {
    const g = await w.run(["rotate", "api-token", "--generate", "--grace", "7d"]);
    expect(g.stdout).toMatch(/Old version: 3 \(still valid for 7 days\)/);
    expect(g.stdout).toMatch(/New version: 4/);
    const e = await w.run(["rotate", "api-token", "--generate", "--expire-old"]);
    expect(e.stdout).toMatch(/Old version: 4 \(expired now\)/);
    const old = await w.run(["get", "api-token", "--version", "4", "--plain"]);
    expect(old.code).not.toBe(0);
  });

  it("needs --generate or a value when nothing is piped and prompting is off", async () => {
    const r = await w.runInTerminal(["rotate", "api-token", "--non-interactive"], []);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/--generate/);
  });

  it("shows the history and rolls back", async () => {
    const h = await w.run(["history", "api-token"]);
    expect(h.stdout).toMatch(/^History: api-token \(\d+ versions\)/);
    expect(h.stdout).toMatch(/│ 5 +│ .* │ rotate +│ current/);
    const r = await w.run(["rollback", "api-token", "--to", "3"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rolled back to version 3\n {2}New version: 6/);
    expect((await w.run(["get", "api-token", "--plain"])).stdout).toBe("token-v3-value\n");
    const missingTo = await w.run(["rollback", "api-token"]);
    expect(missingTo.code).toBe(2);
    expect(missingTo.stderr).toMatch(/--to N is required/);
  });

  it("inspects all metadata without the value", async () => {
    await w.run(["set", "api-token", "--env", "prod"], { input: "token-prod-value" });
    const r = await w.run(["inspect", "api-token"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Secret: api-token\nProvider: local\nScope: global/);
    expect(r.stdout).toMatch(/Access count: \d+/);
    expect(r.stdout).toMatch(/│ default \* +│ 6 +│/);
    expect(r.stdout).toMatch(/│ prod +│ 1 +│/);
    for (const v of ["token-v1-value", "token-v2-value", "token-v3-value", "token-prod-value"])
      expect(r.stdout).not.toContain(v);
    const json = envelope<{ states: Array<Record<string, unknown>>; accessCount: number }>(
      await w.run(["inspect", "api-token", "--json"]),
    );
    expect(json.data.states.length).toBe(2);
    expect(JSON.stringify(json.data)).not.toContain("maskedValue");
  });

  it("inspects a secret that has only env states (no default state), marking the env in force", async () => {
    for (const env of ["prod", "staging", "dev"])
      expect((await w.run(["set", "database-url", "--env", env], { input: `db-${env}-value` })).code).toBe(0);
    const r = await w.run(["inspect", "database-url"], { env: { COFFER_ENV: "prod" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Secret: database-url\nProvider: local\nScope: global\nEnv in force: prod \(reads return the prod state\)/,
    );
    expect(r.stdout).toMatch(/│ prod \* +│ 1 +│/);
    expect(r.stdout).toMatch(/│ staging +│ 1 +│/);
    expect(r.stdout).toMatch(/│ dev +│ 1 +│/);
    expect(r.stdout).toMatch(/Versions \(prod state\):/);
    for (const env of ["prod", "staging", "dev"]) expect(r.stdout).not.toContain(`db-${env}-value`);
    // Without any env in force it is still found: every state, none of them in force.
    const plain = await w.run(["inspect", "database-url"]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/Env in force: default \(no state for it: reads fail\)/);
    const json = envelope<{ states: Array<{ env?: string }>; envInForce?: string; stateInForce?: string }>(
      await w.run(["inspect", "database-url", "--env", "staging", "--json"]),
    );
    expect(json.data.states.map((s) => s.env).sort()).toEqual(["dev", "prod", "staging"]);
    expect(json.data).toMatchObject({ envInForce: "staging", stateInForce: "staging" });
    expect((await w.run(["inspect", "no-such-secret"])).code).not.toBe(0);
  });
});

describe("coffer delete / restore and the secret aliases", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld();
    for (const name of ["old-api-key", "other-key", "NPM_TOKEN"])
      await w.run(["set", name], { input: `${name}-value` });
  });
  afterAll(() => w.cleanup());

  it("refuses to delete without --confirm when it cannot ask", async () => {
    const r = await w.run(["delete", "old-api-key"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs confirmation/);
    expect(r.stderr).toMatch(/--confirm/);
    expect((await w.run(["has", "old-api-key"])).code).toBe(0);
    const ni = await w.runInTerminal(["delete", "old-api-key", "--non-interactive"], []);
    expect(ni.code).toBe(2);
    const envNi = await w.runInTerminal(["delete", "old-api-key"], [], { env: { COFFER_NON_INTERACTIVE: "1" } });
    expect(envNi.code).toBe(2);
    expect(envNi.stdout).toMatch(/--confirm/);
    expect((await w.run(["has", "old-api-key"])).code).toBe(0);
  });

  it("asks on a terminal, naming the providers, and keeps the secret on 'no'", async () => {
    const r = await w.runInTerminal(
      ["delete", "old-api-key"],
      [{ when: /Are you sure\? \(yes\/no\): $/, send: "no\r" }],
    );
    expect(r.stdout).toMatch(/⚠ Warning: This will delete secret 'old-api-key' from: local\./);
    expect(r.code).toBe(1);
    expect((await w.run(["has", "old-api-key"])).code).toBe(0);
  });

  it("deletes on 'yes' and says how to restore", async () => {
    const r = await w.runInTerminal(["delete", "old-api-key"], [{ when: /\(yes\/no\): $/, send: "yes\r" }]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ Secret 'old-api-key' deleted successfully/);
    expect(r.stdout).toMatch(/Removed from: local/);
    expect(r.stdout).toMatch(/Versions deleted: 1/);
    expect(r.stdout).toMatch(/Restore with: coffer restore old-api-key/);
    expect((await w.run(["has", "old-api-key"])).code).toBe(1);
  });

  it("restores a deleted secret", async () => {
    const r = await w.run(["restore", "old-api-key"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ Secret 'old-api-key' restored successfully/);
    expect((await w.run(["get", "old-api-key", "--plain"])).stdout).toBe("old-api-key-value\n");
  });

  it("purges irrecoverably with --purge --confirm", async () => {
    const r = await w.run(["delete", "other-key", "--purge", "--confirm", "--json"]);
    const body = envelope<{ removedFrom: string[]; versionsDeleted: number; purged: boolean }>(r);
    expect(body.data).toMatchObject({ removedFrom: ["local"], versionsDeleted: 1, purged: true });
    expect((await w.run(["restore", "other-key"])).code).toBe(3);
  });

  it("refuses numeric flags outside core's ranges with exit 2 (INVALID_ARGUMENT), changing nothing", async () => {
    expect((await w.run(["set", "ranged", "--expires", "2030-06-30"], { input: "ranged-value-1" })).code).toBe(0);
    for (const args of [
      ["rotate", "ranged", "--grace", "9000000000000"],
      ["rotate", "ranged", "--grace", "99999999999d"],
      ["set", "ranged", "--ttl", "9000000000000"],
      ["get", "ranged", "--version", "9000000000000"],
      ["rollback", "ranged", "--to", "0"],
      ["generate", "--length", "5000"],
      ["audit", "--limit", "1001"],
      ["run", "--timeout", "9999999d", "--", "true"],
    ]) {
      const r = await w.run(args, { input: "ranged-value-2" });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/must be (a whole number|a duration) /);
    }
    const json = envelope<{ secret: { version: number; expiresAt: string } }>(await w.run(["get", "ranged", "--json"]));
    expect(json.data.secret.version).toBe(1);
    // A bare date is the start of that day, UTC, on every front end.
    expect(json.data.secret.expiresAt).toBe("2030-06-30T00:00:00.000Z");
  });

  it("reports a missing secret as NOT_FOUND", async () => {
    expect((await w.run(["delete", "never-existed", "--confirm"])).code).toBe(3);
  });

  it("supports the short aliases", async () => {
    const set = await w.run(["secret", "set", "ANTHROPIC_API_KEY"], { input: "sk-ant-abc123\n" });
    expect(set.stdout).toBe('Set secret "ANTHROPIC_API_KEY"\n');
    const ls = await w.run(["secret", "ls"]);
    expect(ls.stdout.split("\n")).toEqual(expect.arrayContaining(["ANTHROPIC_API_KEY", "NPM_TOKEN"]));
    expect(ls.stdout).not.toContain("sk-ant-abc123");
    const refused = await w.run(["secret", "rm", "NPM_TOKEN"]);
    expect(refused.code).toBe(2);
    const rm = await w.run(["secret", "rm", "NPM_TOKEN", "--confirm"]);
    expect(rm.stdout).toBe('Deleted secret "NPM_TOKEN"\n');
    expect((await w.run(["has", "NPM_TOKEN"])).code).toBe(1);
  });
});
