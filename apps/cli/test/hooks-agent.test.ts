import { spawn } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, COFFER_BIN, createWorld, envelope } from "./cli-harness.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function payloadsIn(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("coffer hook add / list / remove / test", () => {
  let w: CliWorld;
  let recorder: string;
  let payloads: string;
  beforeAll(() => {
    w = createWorld();
    payloads = join(w.root, "payloads.jsonl");
    recorder = join(w.root, "record-payload.sh");
    writeFileSync(recorder, '#!/bin/sh\ncat >> "$1"\n', { mode: 0o700 });
    chmodSync(recorder, 0o700);
  });
  afterAll(() => w.cleanup());

  it("runs a shell hook with the JSON payload on stdin when a matching secret is set, never the value", async () => {
    const add = await w.run([
      "hook",
      "add",
      "--id",
      "record",
      "--event",
      "write,rotate",
      "--match",
      "api-*",
      "--command",
      `'${recorder}' '${payloads}'`,
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(
      /^✓ Hook 'record' registered\n {2}Type: shell \(after\)\n {2}Runs: \S+record-payload\.sh \(\+1 args\)/,
    );
    expect(add.stdout).toContain("  Events: write, rotate\n  Secrets: api-*\n");

    expect((await w.run(["set", "api-stripe", "--tags", "payments"], { input: "sk_live_hook_value_111" })).code).toBe(
      0,
    );
    expect((await w.run(["set", "other-secret"], { input: "other_hook_value_222" })).code).toBe(0);
    expect((await w.run(["rotate", "api-stripe", "--generate"])).code).toBe(0);
    const rotated = (await w.run(["get", "api-stripe", "--plain"])).stdout.trim();

    const seen = payloadsIn(payloads);
    expect(seen.map((p) => [p.event, p.phase, p.name])).toEqual([
      ["write", "after", "api-stripe"],
      ["rotate", "after", "api-stripe"],
    ]);
    expect(seen[0]).toMatchObject({
      scope: "global",
      version: 1,
      provider: "local",
      tags: ["payments"],
      frontEnd: "cli",
    });
    const text = readFileSync(payloads, "utf8");
    for (const value of ["sk_live_hook_value_111", "other_hook_value_222", rotated]) expect(text).not.toContain(value);
  });

  it("lists hooks, tests one with a sample payload, and removes it", async () => {
    const list = await w.run(["hook", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Hooks \(1\):\n\n┌/);
    expect(list.stdout).toMatch(
      /│ record │ registry │ shell │ after │ write,rotate │ api-\* +│ \S+record-payload\.sh \(\+1 args\) │/,
    );
    const json = envelope<{ hooks: Array<{ id: string; source: string; type: string }> }>(
      await w.run(["hook", "list", "--json"]),
    );
    expect(json.data.hooks).toEqual([expect.objectContaining({ id: "record", source: "registry", type: "shell" })]);

    const before = payloadsIn(payloads).length;
    const test = await w.run(["hook", "test", "record"]);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^✓ Hook 'record' ran successfully \(\d+ ms\)/);
    const sample = payloadsIn(payloads).slice(before);
    expect(sample).toEqual([expect.objectContaining({ event: "write", name: "coffer-hook-test" })]);

    expect((await w.run(["hook", "test", "missing-hook"])).code).toBe(3);
    expect((await w.run(["hook", "remove", "record"])).stdout).toBe("✓ Hook 'record' removed\n");
    expect((await w.run(["hook", "remove", "record"])).code).toBe(3);
    expect((await w.run(["set", "api-after-removal"], { input: "v-after-removal" })).code).toBe(0);
    expect(payloadsIn(payloads).length).toBe(before + 1);
  });

  it("a before-hook's veto makes coffer set fail with the reason, and nothing is stored", async () => {
    const add = await w.run([
      "hooks",
      "add",
      "--id",
      "freeze",
      "--before",
      "--event",
      "write",
      "--match",
      "prod-*",
      "--command",
      `sh -c 'cat > /dev/null; echo "change freeze in effect" >&2; exit 1'`,
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain("Type: shell (before: may veto)");
    const set = await w.run(["set", "prod-key"], { input: "prod_value_blocked_333" });
    expect(set.code).toBe(6);
    expect(set.stderr).toMatch(/✗ Error: .*freeze.*change freeze in effect/);
    expect(set.stderr).not.toContain("prod_value_blocked_333");
    expect((await w.run(["has", "prod-key"])).code).toBe(1);
    // Other names are not matched.
    expect((await w.run(["set", "dev-key"], { input: "dev_value_444" })).code).toBe(0);

    const test = await w.run(["hook", "test", "freeze"]);
    expect(test.code).toBe(1);
    expect(test.stdout).toMatch(/^✗ Hook 'freeze' vetoed \(\d+ ms\): change freeze in effect/);

    expect((await w.run(["hook", "rm", "freeze"])).code).toBe(0);
    expect((await w.run(["set", "prod-key"], { input: "prod_value_ok_555" })).code).toBe(0);
  });

  it("registers a webhook with its signing secret from the environment, never showing it", async () => {
    const signing = "whsec_cli_signing_secret_0123456789";
    const add = await w.run(
      [
        "hook",
        "add",
        "--id",
        "notify",
        "--event",
        "rotate,expire",
        "--url",
        "https://hooks.example.com/coffer",
        "--secret-env",
        "HOOK_SECRET",
      ],
      { env: { HOOK_SECRET: signing } },
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain("Runs: https://hooks.example.com");
    expect(add.stdout).toContain("Signing secret: (set)");
    const list = await w.run(["hook", "list", "--json"]);
    expect(list.stdout).toContain('"secret": "(set)"');
    expect(w.transcript.join("\n")).not.toContain(signing);

    const unset = await w.run([
      "hook",
      "add",
      "--id",
      "n2",
      "--url",
      "https://hooks.example.com/x",
      "--secret-env",
      "NOPE",
    ]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/NOPE \(--secret-env\) is not set/);
    const local = await w.run([
      "hook",
      "add",
      "--id",
      "n3",
      "--url",
      "http://127.0.0.1:9/x",
      "--secret-name",
      "hook-key",
    ]);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/private|loopback/);
    expect((await w.run(["hook", "remove", "notify"])).code).toBe(0);
  });

  it("rejects bad definitions and hook changes from an agent's shell", async () => {
    const both = await w.run(["hook", "add", "--id", "x", "--command", "true", "--url", "https://a.example.com"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --command .* or --url/);
    expect((await w.run(["hook", "add", "--id", "x", "--event", "save", "--command", "true"])).code).toBe(2);
    expect((await w.run(["hook", "add", "--command", "true"])).code).toBe(2);
    expect((await w.run(["hook", "add", "--id", "x", "--command", "'unclosed"])).code).toBe(2);
    const agent = await w.run(["hook", "add", "--id", "sneaky", "--command", "true"], {
      env: { COFFER_AGENT_ID: "claude" },
    });
    expect(agent.code).toBe(6);
    expect(agent.stderr).toMatch(/only a person at the CLI may register hooks/);
    expect(agent.stderr).toMatch(/hint: COFFER_AGENT_ID is set, so this shell counts as agent 'claude'/);
    expect(envelope<{ hooks: unknown[] }>(await w.run(["hook", "list", "--json"])).data.hooks).toEqual([]);
  });
});

describe("coffer agent", () => {
  let w: CliWorld;
  beforeAll(() => {
    w = createWorld();
  });
  afterAll(() => w.cleanup());

  it("--once --auto-rotate rotates an expired secret that has a rotation format, and fires expire hooks", async () => {
    const expireLog = join(w.root, "expired.jsonl");
    const hook = await w.run([
      "hook",
      "add",
      "--id",
      "expire-log",
      "--event",
      "expire",
      "--command",
      `sh -c 'cat >> ${expireLog}'`,
    ]);
    expect(hook.code, hook.stderr).toBe(0);
    expect(
      (await w.run(["set", "temp-token", "--ttl", "1", "--rotation-format", "token"], { input: "tmp_token_value_1" }))
        .code,
    ).toBe(0);
    expect((await w.run(["set", "old-password", "--ttl", "1"], { input: "old_password_value_2" })).code).toBe(0);
    expect((await w.run(["set", "fresh-key"], { input: "fresh_value_3" })).code).toBe(0);
    await sleep(1200);

    const r = await w.run(["agent", "--once", "--auto-rotate", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = envelope<{
      checked: number;
      expired: Array<{ name: string }>;
      rotated: Array<{ name: string; oldVersion: number; newVersion: number }>;
      hooks: Array<{ hook: string; ok: boolean }>;
      errors: unknown[];
    }>(r).data;
    expect(report.checked).toBe(3);
    expect(report.expired.map((e) => e.name).sort()).toEqual(["old-password", "temp-token"]);
    expect(report.rotated).toEqual([expect.objectContaining({ name: "temp-token", oldVersion: 1, newVersion: 2 })]);
    expect(report.hooks).toEqual([
      { hook: "expire-log", ok: true },
      { hook: "expire-log", ok: true },
    ]);
    expect(report.errors).toEqual([]);
    const value = (await w.run(["get", "temp-token", "--plain"])).stdout.trim();
    expect(value).not.toBe("tmp_token_value_1");
    expect(value.length).toBeGreaterThan(20);
    expect(
      payloadsIn(expireLog)
        .map((p) => p.name)
        .sort(),
    ).toEqual(["old-password", "temp-token"]);
    expect(readFileSync(expireLog, "utf8")).not.toContain("old_password_value_2");

    // Without --auto-rotate nothing is rotated; the human report lists what was found.
    await sleep(1100);
    const human = await w.run(["agent", "--once"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Expiry scan at \d{4}-.+: 3 secrets checked\n/);
    expect(human.stdout).toMatch(
      /\nExpired \(2\):\n {2}old-password \[global\] at local\n {2}temp-token \[global\] at local\n|\nExpired \(2\):\n {2}temp-token \[global\] at local\n {2}old-password \[global\] at local\n/,
    );
    expect(human.stdout).toContain("\nRotated: none\n");
    expect(human.stdout).toMatch(/\nHooks \(2\):\n {2}✓ expire-log\n {2}✓ expire-log\n/);
    expect((await w.run(["history", "temp-token", "--json"])).stdout).not.toContain('"version": 3');
  });

  it("loops every --interval seconds until SIGINT or SIGTERM, printing each report", async () => {
    for (const [signal, json] of [
      ["SIGINT", true],
      ["SIGTERM", false],
    ] as const) {
      const child = spawn(process.execPath, [COFFER_BIN, "agent", "--interval", "1", ...(json ? ["--json"] : [])], {
        cwd: w.cwd,
        env: w.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
      const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      const reports = () =>
        json ? stdout.split("\n").filter((l) => l.startsWith("{")).length : stdout.split("Expiry scan at").length - 1;
      const deadline = Date.now() + 15_000;
      while (reports() < 2 && Date.now() < deadline) await sleep(100);
      child.kill(signal);
      const code = await Promise.race([closed, sleep(10_000).then(() => "hung" as const)]);
      if (code === "hung") child.kill("SIGKILL");
      expect(code, stderr).toBe(0);
      expect(reports()).toBeGreaterThanOrEqual(2);
      expect(stderr).toMatch(/scanning every 1s/);
      expect(stderr).toMatch(/stopped after \d+ scans/);
      if (json) {
        const first = JSON.parse(stdout.split("\n")[0]!) as {
          ok: boolean;
          data: { run: number; report: { checked: number } };
        };
        expect(first).toMatchObject({ ok: true, data: { run: 1, report: { checked: 3 } } });
      }
    }
  });

  it("rejects a bad interval", async () => {
    const r = await w.run(["agent", "--interval", "0"]);
    expect(r.code).toBe(2);
  });
});
