import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, COFFER_BIN, createWorld, envelope } from "./cli-harness.js";

const STRIPE = "sk_live_run_51HqLyjWDarjtT1zd";
const DB = "postgres://app:pa55word-xyz@db:5432/app";
const MASTER_KEY = randomBytes(32).toString("hex");

describe("coffer run", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld({ COFFER_MASTER_KEY: MASTER_KEY });
    await w.run(["set", "api-key-stripe", "--tags", "payments"], { input: STRIPE });
    await w.run(["set", "DATABASE_URL", "--tags", "db"], { input: DB });
  });
  afterAll(() => w.cleanup());

  it("injects secrets as environment variables and passes the exit code through", async () => {
    const script = "console.log(process.env.API_KEY_STRIPE.length, process.env.DATABASE_URL.length); process.exit(3)";
    const r = await w.run(["run", "--", process.execPath, "-e", script]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(`${STRIPE.length} ${DB.length}\n`);
  });

  it("masks every injected value in stdout and stderr", async () => {
    const script = "console.log('key=' + process.env.API_KEY_STRIPE); console.error('db=' + process.env.DATABASE_URL)";
    const r = await w.run(["run", "--", process.execPath, "-e", script]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("key=[REDACTED:api-key-stripe]\n");
    expect(r.stderr).toBe("db=[REDACTED:DATABASE_URL]\n");
  });

  it("masks a value printed in two writes with a delay, while streaming the output as it comes", async () => {
    const script = `
      const v = process.env.API_KEY_STRIPE;
      console.log('line one');
      process.stdout.write('half:' + v.slice(0, 10));
      setTimeout(() => { process.stdout.write(v.slice(10) + ' done\\n'); }, 700);`;
    const chunks: Array<{ at: number; text: string }> = [];
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [COFFER_BIN, "run", "--", process.execPath, "-e", script], {
        cwd: w.cwd,
        env: w.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.on("data", (c: Buffer) => chunks.push({ at: Date.now() - started, text: c.toString() }));
      child.on("close", resolve);
    });
    expect(code).toBe(0);
    const all = chunks.map((c) => c.text).join("");
    expect(all).toBe("line one\nhalf:[REDACTED:api-key-stripe] done\n");
    // The first line arrived well before the child finished: no buffering until exit.
    const first = chunks.find((c) => c.text.includes("line one"))!;
    const last = chunks.at(-1)!;
    expect(last.at - first.at).toBeGreaterThanOrEqual(500);
    // No chunk ever carried a piece of the value.
    for (const c of chunks) expect(c.text).not.toContain(STRIPE.slice(0, 10));
  });

  it("does not pass Coffer's own credentials to the command", async () => {
    const r = await w.run(
      [
        "run",
        "--",
        process.execPath,
        "-e",
        "console.log(JSON.stringify(Object.keys(process.env).filter(k => k.startsWith('COFFER_'))))",
      ],
      {
        env: { COFFER_EXPORT_PASSPHRASE: "bundle-pass-123" },
      },
    );
    expect(r.code).toBe(0);
    const keys = JSON.parse(r.stdout) as string[];
    expect(keys).not.toContain("COFFER_MASTER_KEY");
    expect(keys).not.toContain("COFFER_EXPORT_PASSPHRASE");
    expect(keys).toContain("COFFER_HOME");
    expect(r.stdout + r.stderr).not.toContain(MASTER_KEY);
  });

  it("leaves output alone with --no-redact and injects only --only / --tags", async () => {
    const raw = await w.run([
      "run",
      "--no-redact",
      "--only",
      "api-key-stripe",
      "--",
      "printenv",
      "API_KEY_STRIPE",
      "DATABASE_URL",
    ]);
    expect(raw.stdout).toBe(`${STRIPE}\n`);
    expect(raw.code).toBe(1); // printenv: DATABASE_URL was not injected
    const tagged = await w.run([
      "run",
      "--tags",
      "db",
      "--",
      process.execPath,
      "-e",
      "console.log(Object.keys(process.env).filter(k => k === 'DATABASE_URL' || k === 'API_KEY_STRIPE').join(','))",
    ]);
    expect(tagged.stdout).toBe("DATABASE_URL\n");
  });

  it("fails before running when an --only secret is missing", async () => {
    const r = await w.run(["run", "--only", "no-such-secret", "--", process.execPath, "-e", "console.log('ran')"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/secrets not found: no-such-secret/);
  });

  it("captures masked output in the --json envelope", async () => {
    const r = await w.run([
      "run",
      "--json",
      "--",
      process.execPath,
      "-e",
      "console.log(process.env.DATABASE_URL); process.exit(2)",
    ]);
    expect(r.code).toBe(2);
    const body = envelope<{ exitCode: number; stdout: string; injected: Array<{ name: string; envVar: string }> }>(r);
    expect(body.ok).toBe(true);
    expect(body.data.exitCode).toBe(2);
    expect(body.data.stdout).toBe("[REDACTED:DATABASE_URL]\n");
    expect(body.data.injected.map((i) => i.envVar).sort()).toEqual(["API_KEY_STRIPE", "DATABASE_URL"]);
    expect(r.stdout).not.toContain(DB);
  });

  it("reports a missing command with exit 127, a timeout with 124, a signal with 128+n", async () => {
    const missing = await w.run(["run", "--", "coffer-test-no-such-command"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/was not found/);
    const timeout = await w.run(["run", "--timeout", "1", "--", process.execPath, "-e", "setInterval(() => {}, 1000)"]);
    expect(timeout.code).toBe(124);
    expect(timeout.stderr).toMatch(/timed out/);
    const signal = await w.run(["run", "--", process.execPath, "-e", "process.kill(process.pid, 'SIGKILL')"]);
    expect(signal.code).toBe(137);
    const none = await w.run(["run"]);
    expect(none.code).toBe(2);
  });

  it("takes the command line after the first non-flag argument without --", async () => {
    // --json after the command belongs to the command, not to coffer.
    const r = await w.run(["run", "--only", "DATABASE_URL", "printf", "%s|%s\\n", "--json", "x"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("--json|x\n");
  });
});

describe("coffer run follows launchers through the exec lists", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld({ COFFER_MASTER_KEY: MASTER_KEY });
    writeFileSync(join(w.cwd, "coffer.yaml"), "exec:\n  allow: ['*']\n  deny: [node, sh, curl]\n");
    await w.run(["set", "api-key", "--tags", "payments"], { input: STRIPE });
    await w.run(["set", "API_KEY"], { input: DB });
  });
  afterAll(() => w.cleanup());

  it("refuses env node, timeout 5 sh -c and env curl with allow * and deny node, sh, curl (exit 6, nothing runs)", async () => {
    const marker = join(w.root, "ran");
    for (const [line, program, launcher] of [
      [["env", process.execPath, "-e", `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`], "node", "env"],
      [["timeout", "5", "sh", "-c", `touch ${marker}`], "sh", "timeout"],
      [["/usr/bin/env", "-i", "A=B", "curl", "https://example.com"], "curl", "/usr/bin/env"],
      [["nohup", "nice", "-n", "5", "env", "sh", "-c", `touch ${marker}`], "sh", "env"],
    ] as const) {
      const r = await w.run(["run", "--", ...line]);
      expect(r.code, `${line.join(" ")}: ${r.stderr}`).toBe(6);
      expect(r.stderr).toContain(`(started by `);
      expect(r.stderr).toContain(`"${launcher}"`);
      expect(r.stderr).toMatch(new RegExp(`${program}`));
      const json = envelope(await w.run(["run", "--json", "--", ...line]));
      expect(json.error.code).toBe("PERMISSION_DENIED");
    }
    const unresolved = await w.run(["run", "--", "watch", "-n", "1", "node", "x.js"]);
    expect(unresolved.code).toBe(6);
    expect(unresolved.stderr).toMatch(/"watch" starts another program Coffer cannot determine/);
    expect(existsSync(marker)).toBe(false);
    const allowed = await w.run(["run", "--", "env", "printenv", "HOME"]);
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it("refuses a run whose named secrets collide on one env var (exit 5), as MCP does", async () => {
    const named = await w.run(["run", "--only", "api-key,API_KEY", "--", "true"]);
    expect(named.code).toBe(5);
    expect(named.stderr).toMatch(/API_KEY and api-key both map to API_KEY; the command was not run/);
    // Without names, colliding secrets are left out and reported; the command runs.
    const all = await w.run(["run", "--", "printenv", "API_KEY"]);
    expect(all.code).toBe(1);
    expect(all.stderr).toMatch(/API_KEY, api-key all map to API_KEY; none of them was injected/);
  });
});
