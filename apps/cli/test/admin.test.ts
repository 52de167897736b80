import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../src/command-table.js";
import { type CliWorld, createWorld, envelope } from "./cli-harness.js";

describe("coffer audit / health / env / doctor / key rotate", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld();
    await w.run(["set", "api-key-stripe"], { input: "sk_live_audit_value_123" });
    await w.run(["get", "api-key-stripe"]);
    await w.run(["get", "api-key-stripe", "--plain"]);
    await w.run(["rotate", "api-key-stripe", "--generate"]);
    await w.run(["get", "api-key-stripe", "--plain", "--version", "99"]);
  });
  afterAll(() => w.cleanup());

  it("shows the access log with a summary", async () => {
    const r = await w.run(["audit", "api-key-stripe"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Access Log: api-key-stripe \(last 50 entries\)\n\n┌/);
    expect(r.stdout).toMatch(/│ Timestamp +│ Accessor +│ Action +│ Success +│ Provider │/);
    // Times to the second, as in the reference layout: 2025-12-12T16:45:23Z.
    expect(r.stdout).toMatch(/│ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ │ [^│]+ \(cli\) +│ rotate +│ ✓ +│ local +│/);
    expect(r.stdout).toMatch(/│ reveal +│ ✗ NOT_FOUND/);
    expect(r.stdout).toMatch(
      /\nFailed attempts: 1\nMost frequent accessor: \S+ \(\d+ accesses\)\nLast rotation: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/,
    );
    expect(r.stdout).not.toContain("sk_live_audit_value_123");
  });

  it("filters failed attempts, limits, and gives JSON", async () => {
    const failed = envelope<{ entries: Array<{ success: boolean; action: string }>; summary: { failed: number } }>(
      await w.run(["audit", "api-key-stripe", "--failed-only", "--json"]),
    );
    expect(failed.data.entries.length).toBe(1);
    expect(failed.data.entries[0]!.success).toBe(false);
    expect(failed.data.summary.failed).toBe(1);
    const limited = envelope<{ entries: unknown[] }>(await w.run(["audit", "--limit", "2", "--json"]));
    expect(limited.data.entries.length).toBe(2);
    expect((await w.run(["audit", "--limit", "zero"])).code).toBe(2);
  });

  it("verifies the audit chain, and detects tampering", async () => {
    const ok = await w.run(["audit", "--verify"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^✓ Audit chain verified: \d+ entries\n$/);
    const copy = createWorld();
    try {
      await copy.run(["set", "a-key"], { input: "value-one-1" });
      await copy.run(["set", "b-key"], { input: "value-two-2" });
      // No type declarations for the native driver here; only a few calls are needed.
      type Db = { prepare(sql: string): { all(): unknown[]; run(): unknown }; close(): void };
      const { default: Database } = (await import("better-sqlite3" as string)) as { default: new (path: string) => Db };
      const db = new Database(join(copy.home, "store.db"));
      const table = (
        db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%audit%'").all() as Array<{
          name: string;
        }>
      )[0]!.name;
      const column = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>)
        .map((c) => c.name)
        .find((c) => /accessor/.test(c))!;
      db.prepare(`UPDATE ${table} SET ${column} = 'mallory' WHERE rowid = (SELECT min(rowid) FROM ${table})`).run();
      db.close();
      const broken = await copy.run(["audit", "--verify"]);
      expect(broken.code).toBe(10);
      expect(broken.stdout).toMatch(/^✗ Audit chain broken at entry #1: edited \(\d+ entries checked\)\n$/);
      const json = envelope<{ ok: boolean; brokenAt: { seq: number; reason: string } }>(
        await copy.run(["audit", "--verify", "--json"]),
      );
      expect(json.data).toMatchObject({ ok: false, brokenAt: { seq: 1, reason: "edited" } });
    } finally {
      copy.cleanup();
    }
  });

  it("reports provider health and the fallback chain", async () => {
    const r = await w.run(["health"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Secret Provider Health:\n\n┌/);
    expect(r.stdout).toMatch(/│ Provider +│ Status │ Priority │ Last Check +│/);
    expect(r.stdout).toMatch(/│ local \(default\) │ ✓ OK +│ 50 +│/);
    expect(r.stdout).toMatch(/│ env +│ ✓ OK +│ 10 +│/);
    expect(r.stdout).toMatch(/\nAll providers operational\nFallback chain: local → env\n/);
    const json = envelope<{ ok: boolean; chain: string[] }>(await w.run(["health", "--json"]));
    expect(json.data).toMatchObject({ ok: true, chain: ["local", "env"] });
  });

  it("explains the detected environment", async () => {
    const def = await w.run(["env"]);
    expect(def.stdout).toMatch(/^Environment: \(default state\)\nSource: default\n/);
    const env = await w.run(["env"], { env: { COFFER_ENV: "staging" } });
    expect(env.stdout).toMatch(/^Environment: staging\nSource: COFFER_ENV\nReason: COFFER_ENV=staging/);
    const json = envelope<{ env: string; source: string }>(await w.run(["env", "--env", "prod", "--json"]));
    expect(json.data).toMatchObject({ env: "prod", source: "argument" });
  });

  it("writes a commented coffer.yaml that the config loader accepts", async () => {
    const r = await w.run(["init"]);
    expect(r.code).toBe(0);
    const text = readFileSync(join(w.cwd, "coffer.yaml"), "utf8");
    expect(text).toMatch(/^# coffer\.yaml/);
    expect(text).toMatch(/defaultProvider: local/);
    expect((await w.run(["init"])).code).toBe(4);
    expect((await w.run(["init", "--force"])).code).toBe(0);
    const doctor = await w.run(["doctor"]);
    expect(doctor.stdout).toMatch(/✓ config: loaded .*coffer\.yaml/);
  });

  it("doctor checks the store, key file mode, config and providers", async () => {
    const r = await w.run(["doctor"]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/✓ key file: .*master\.key \(mode 600\)/);
    expect(r.stdout).toMatch(/✓ store: .*store\.db: \d+ items verified/);
    expect(r.stdout).toMatch(/✓ provider local: healthy/);
    expect(r.stdout).toMatch(/✓ audit: hash chain intact/);
    expect(r.stdout).toMatch(/No problems found/);
    const { chmodSync } = await import("node:fs");
    chmodSync(join(w.home, "master.key"), 0o644);
    try {
      const bad = await w.run(["doctor"]);
      expect(bad.code).not.toBe(0);
      expect(bad.stdout).toMatch(/chmod 600/);
    } finally {
      chmodSync(join(w.home, "master.key"), 0o600);
    }
    writeFileSync(join(w.cwd, "coffer.yaml"), "unknownKey: 1\n");
    const config = await w.run(["doctor"]);
    expect(config.code).toBe(12);
    expect(config.stdout).toMatch(/✗ config: .*unknown key "unknownKey"/);
    writeFileSync(join(w.cwd, "coffer.yaml"), "defaultProvider: local\n");
  });

  it("rotates the master key into the key file; the old key no longer opens the store", async () => {
    const before = readFileSync(join(w.home, "master.key"));
    copyFileSync(join(w.home, "master.key"), join(w.root, "old.key"));
    const value = (await w.run(["get", "api-key-stripe", "--plain"])).stdout;
    const r = await w.run(["key", "rotate", "--generate"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ Master key rotated/);
    const after = readFileSync(join(w.home, "master.key"));
    expect(after.equals(before)).toBe(false);
    expect(statSync(join(w.home, "master.key")).mode & 0o777).toBe(0o600);
    expect(r.stdout).not.toContain(after.toString("utf8").trim());
    expect((await w.run(["get", "api-key-stripe", "--plain"])).stdout).toBe(value);
    const old = await w.run(["get", "api-key-stripe", "--plain"], {
      env: { COFFER_MASTER_KEY: before.toString("utf8").trim() },
    });
    expect(old.code).not.toBe(0);
    const newKey = randomBytes(32).toString("hex");
    writeFileSync(join(w.root, "next.key"), `${newKey}\n`, { mode: 0o600 });
    const fromFile = await w.run(["key", "rotate", "--new-key-file", join(w.root, "next.key")]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).not.toContain(newKey);
    expect((await w.run(["get", "api-key-stripe", "--plain"], { env: { COFFER_MASTER_KEY: newKey } })).stdout).toBe(
      value,
    );
    const prompt = await w.runInTerminal(["key", "rotate", "--non-interactive"], []);
    expect(prompt.code).toBe(2);
    expect(prompt.stdout).toMatch(/--generate|--new-key-file/);
    const audit = await w.run(["audit", "--action", "key-rotate", "--json"]);
    expect(envelope<{ entries: unknown[] }>(audit).data.entries.length).toBe(2);
  });
});

describe("coffer generate / entangle / token / completion", () => {
  let w: CliWorld;
  beforeAll(() => {
    w = createWorld();
  });
  afterAll(() => w.cleanup());

  it("generates values in every format, and stores without printing with --save", async () => {
    const uuid = await w.run(["generate", "--format", "uuid"]);
    expect(uuid.stdout).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/);
    const pw = await w.run(["generate", "--format", "password", "--length", "32"]);
    expect(pw.stdout.trim()).toHaveLength(32);
    const hex = await w.run(["generate", "--format", "hex", "--length", "16", "--json"]);
    expect(envelope<{ value: string; format: string }>(hex).data).toMatchObject({
      format: "hex",
      value: expect.stringMatching(/^[0-9a-f]+$/),
    });
    const saved = await w.run(["generate", "--format", "api-key", "--prefix", "sk_live_", "--save", "api-key-stripe"]);
    expect(saved.code).toBe(0);
    expect(saved.stdout).toMatch(/✓ Secret 'api-key-stripe' stored successfully/);
    const value = (await w.run(["get", "api-key-stripe", "--plain"])).stdout.trim();
    expect(value).toMatch(/^sk_live_/);
    expect(saved.stdout).not.toContain(value);
    expect((await w.run(["generate", "--format", "nope"])).code).toBe(2);
  });

  it("entangles two secrets so a write updates both, and disentangles them", async () => {
    await w.run(["set", "DATABASE_URL"], { input: "postgres://one" });
    await w.run(["set", "database-url"], { input: "postgres://one" });
    const e = await w.run(["entangle", "DATABASE_URL", "database-url"]);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/✓ Entangled 'DATABASE_URL' and 'database-url'/);
    const set = await w.run(["set", "DATABASE_URL"], { input: "postgres://two" });
    expect(set.stdout).toMatch(/Entangled secrets updated: database-url/);
    expect((await w.run(["get", "database-url", "--plain"])).stdout).toBe("postgres://two\n");
    expect((await w.run(["inspect", "DATABASE_URL"])).stdout).toMatch(/Entangled with: database-url/);
    const d = await w.run(["disentangle", "DATABASE_URL", "database-url"]);
    expect(d.stdout).toMatch(/✓ Disentangled/);
    await w.run(["set", "DATABASE_URL"], { input: "postgres://three" });
    expect((await w.run(["get", "database-url", "--plain"])).stdout).toBe("postgres://two\n");
  });

  it("creates an API token shown once, lists and revokes it", async () => {
    const c = await w.run(["token", "create", "ci-reader", "--scopes", "secrets:read", "--expires", "30d"]);
    expect(c.code, c.stderr).toBe(0);
    const token = /Token: (cfr_\w+)/.exec(c.stdout)?.[1];
    expect(token).toBeDefined();
    expect(c.stdout).toMatch(/shown only this once/);
    const list = await w.run(["token", "list"]);
    expect(list.stdout).toMatch(/│ ci-reader +│ \w+ +│ secrets:read +│/);
    expect(list.stdout).not.toContain(token!);
    const json = envelope<{ tokens: Array<{ name: string; status: string }> }>(
      await w.run(["token", "list", "--json"]),
    );
    expect(json.data.tokens).toEqual([expect.objectContaining({ name: "ci-reader", status: "active" })]);
    expect(JSON.stringify(json)).not.toContain(token!);
    for (const file of ["store.db", "store.db-wal"]) {
      if (existsSync(join(w.home, file)))
        expect(readFileSync(join(w.home, file)).includes(Buffer.from(token!))).toBe(false);
    }
    expect((await w.run(["token", "revoke", "ci-reader"])).stdout).toMatch(/✓ API token 'ci-reader' revoked/);
    expect((await w.run(["token", "revoke", "ci-reader"])).code).toBe(3);
    expect((await w.run(["token", "create", "x", "--scopes", "bogus"])).code).toBe(2);
  });

  it("prints completion scripts and completes commands, flags and names, never values", async () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const r = await w.run(["completion", shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("coffer __complete");
    }
    expect((await w.run(["completion", "tcsh"])).code).toBe(2);
    const commands = await w.run(["__complete", "--", "ro"]);
    expect(commands.stdout.split("\n")).toEqual(expect.arrayContaining(["rotate", "rollback"]));
    const flags = await w.run(["__complete", "--", "get", "--sh"]);
    expect(flags.stdout).toBe("--show-full\n");
    const names = await w.run(["__complete", "--", "get", "api"]);
    expect(names.stdout).toBe("api-key-stripe\n");
    const providers = await w.run(["__complete", "--", "set", "x", "--provider", ""]);
    expect(providers.stdout.split("\n")).toEqual(expect.arrayContaining(["local", "env"]));
    const sub = await w.run(["__complete", "--", "token", ""]);
    expect(sub.stdout.split("\n")).toEqual(expect.arrayContaining(["create", "list", "revoke"]));
    const hookSub = await w.run(["__complete", "--", "hook", ""]);
    expect(hookSub.stdout).toBe("add\nlist\nremove\ntest\n");
    expect((await w.run(["__complete", "--", "mcp", "install", "--client", ""])).stdout).toBe(
      "claude-code\ncursor\nvscode\n",
    );
    expect((await w.run(["__complete", "--", "mcp", "install", "--scope", ""])).stdout).toBe("project\nuser\n");
    expect((await w.run(["__complete", "--", "approvals", "--status", "a"])).stdout).toBe("approved\nall\n");
    const value = (await w.run(["get", "api-key-stripe", "--plain"])).stdout.trim();
    expect(names.stdout).not.toContain(value);
    // The bash script works in a real bash.
    const { execFileSync } = await import("node:child_process");
    const { COFFER_BIN } = await import("./cli-harness.js");
    const script = (await w.run(["completion", "bash"])).stdout;
    const out = execFileSync(
      "bash",
      [
        "-c",
        `coffer() { "${process.execPath}" "${COFFER_BIN}" "$@"; }\n${script}\nCOMP_WORDS=(coffer get api); COMP_CWORD=2; _coffer_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { env: { ...w.env }, cwd: w.cwd },
    ).toString();
    expect(out).toBe("api-key-stripe\n");
  });
});

describe("output conventions", () => {
  let w: CliWorld;
  beforeAll(() => {
    w = createWorld();
  });
  afterAll(() => w.cleanup());

  it("gives one-line errors with a hint and the documented exit codes, without stack traces", async () => {
    const unknown = await w.run(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "✗ Error: unknown command \"frobnicate\"\n  hint: run 'coffer --help' for the list of commands\n",
    );
    const valueLike = await w.run(["sk_live_typed.by_mistake"]);
    expect(valueLike.code).toBe(2);
    expect(valueLike.stderr).not.toContain("sk_live_typed");
    const valueFlag = await w.run(["get", "x", "--token=sk_live_typed_too"]);
    expect(valueFlag.stderr).not.toContain("sk_live_typed_too");
    const flag = await w.run(["get", "x", "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option --bogus for 'coffer get'/);
    const missing = await w.run(["get"]);
    expect(missing.stderr).toMatch(/missing argument <name>/);
    const badName = await w.run(["set", "bad name"], { input: "v" });
    expect(badName.code).toBe(2);
    expect(badName.stderr).not.toMatch(/\bat \S+:\d+:\d+/);
    const reserved = await w.run(["set", "COFFER_X"], { input: "v" });
    expect(reserved.stderr).toMatch(/reserved/);
  });

  it("wraps every result in a stable JSON envelope", async () => {
    const ok = envelope(await w.run(["set", "k-json", "--json"], { input: "json-value-1" }));
    expect(ok.ok).toBe(true);
    expect(ok.data).toMatchObject({ name: "k-json", version: 1, provider: "local" });
    const err = await w.run(["frobnicate", "--json"]);
    expect(envelope(err)).toEqual({
      ok: false,
      error: {
        code: "INVALID_ARGUMENT",
        message: 'unknown command "frobnicate"',
        hint: "run 'coffer --help' for the list of commands",
      },
    });
    expect(err.stderr).toBe("");
    const conflict = envelope(await w.run(["set", "k-json", "--if-version", "0", "--json"], { input: "x-value-2" }));
    expect(conflict.error.code).toBe("CONFLICT");
    const list = envelope<{ items: unknown[]; total: number }>(await w.run(["list", "--json"]));
    expect(list.data.total).toBe(1);
  });

  it("uses colour only on a terminal and never with NO_COLOR", async () => {
    const piped = await w.run(["health"]);
    expect(piped.stdout).not.toContain("\u001b[");
    const tty = await w.runInTerminal(["health"], []);
    expect(tty.raw).toContain("\u001b[32m");
    const noColor = await w.runInTerminal(["health"], [], { env: { NO_COLOR: "1" } });
    expect(noColor.raw).not.toContain("\u001b[");
  });

  it("fits tables to the terminal width", async () => {
    await w.run(
      [
        "set",
        "a-very-long-secret-name-that-goes-on-and-on-and-on",
        "--tags",
        "one,two,three,four,five,six,seven,eight",
      ],
      { input: "x-value-3" },
    );
    const narrow = await w.run(["list"], { env: { COLUMNS: "60" } });
    for (const line of narrow.stdout.split("\n")) expect([...line].length).toBeLessThanOrEqual(60);
    expect(narrow.stdout).toContain("…");
    const wide = await w.run(["list"]);
    expect(wide.stdout).toContain("a-very-long-secret-name-that-goes-on-and-on-and-on");
  });

  it("prints help for every command and the package's version", async () => {
    const help = await w.run(["--help"]);
    expect(help.code).toBe(0);
    const listed = COMMANDS.filter((c) => !c.hidden).map((c) => c.name);
    for (const cmd of [
      ...listed,
      "get",
      "set",
      "audit",
      "token create",
      "secret set",
      "approvals",
      "approve",
      "deny",
      "hook add",
      "hook list",
      "hook remove",
      "hook test",
      "agent",
      "mcp install",
    ]) {
      expect(help.stdout).toContain(`\n  ${cmd} `);
    }
    expect(help.stdout).not.toContain("__complete");
    const getHelp = await w.run(["get", "--help"]);
    expect(getHelp.stdout).toMatch(/^Usage: coffer get <name> \[options\]/);
    expect(getHelp.stdout).toContain("--show-full");
    const hookHelp = await w.run(["hook", "add", "--help"]);
    expect(hookHelp.stdout).toMatch(/^Usage: coffer hook add \[options\]/);
    expect(hookHelp.stdout).toContain("--secret-env VAR");
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    const version = await w.run(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${pkg.version}\n`);
    expect(envelope<{ version: string }>(await w.run(["--version", "--json"])).data.version).toBe(pkg.version);
  });
});
