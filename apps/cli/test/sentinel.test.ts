import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, createWorld, filesContaining } from "./cli-harness.js";

/** A value that must never be seen outside `get --show-full/--plain`. */
const SENTINEL = "SENTINEL_7f3a9c2e_do_not_print_91b4";

describe("a secret value never leaks", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld();
    const r = await w.run(["set", "sentinel-key", "--tags", "canary", "--description", "the canary"], {
      input: SENTINEL,
    });
    expect(r.code).toBe(0);
  });
  afterAll(() => w.cleanup());

  it("appears in no output, error or file through every non-revealing command", async () => {
    // A .env file holding the value, for scan and migrate (migrate rewrites it to references).
    writeFileSync(join(w.cwd, "leak.env"), `sentinel-key=${SENTINEL}\nREF=coffer://sentinel-key\n`);
    const commands: Array<{ args: string[]; input?: string; env?: NodeJS.ProcessEnv }> = [
      { args: ["get", "sentinel-key"] },
      { args: ["get", "sentinel-key", "--json"] },
      { args: ["get", "sentinel-key", "--version", "42", "--plain"] },
      { args: ["list"] },
      { args: ["list", "--json"] },
      { args: ["inspect", "sentinel-key"] },
      { args: ["inspect", "sentinel-key", "--json"] },
      { args: ["history", "sentinel-key", "--json"] },
      { args: ["has", "sentinel-key"] },
      { args: ["set", "sentinel-key", "--if-version", "9"], input: SENTINEL },
      { args: ["set", "bad name!", "--json"], input: SENTINEL },
      {
        args: ["set", "sentinel-copy", "--from-json"],
        input: `{"plaintext_value": ${JSON.stringify(SENTINEL)}, broken`,
      },
      { args: ["set", "sentinel-copy"], input: SENTINEL },
      { args: ["set", "sentinel-copy", "--expires", "yesterday"], input: SENTINEL },
      {
        args: [
          "run",
          "--",
          process.execPath,
          "-e",
          "console.log(process.env.SENTINEL_KEY); console.error(process.env.SENTINEL_COPY)",
        ],
      },
      {
        args: [
          "run",
          "--",
          process.execPath,
          "-e",
          "const v = process.env.SENTINEL_KEY; process.stdout.write(v.slice(0, 9)); setTimeout(() => process.stdout.write(v.slice(9) + '\\n'), 200)",
        ],
      },
      { args: ["run", "--json", "--", "printenv", "SENTINEL_KEY"] },
      { args: ["audit"] },
      { args: ["audit", "--json"] },
      { args: ["audit", "--verify"] },
      { args: ["health", "--json"] },
      { args: ["doctor"] },
      { args: ["export"] },
      { args: ["export", "--format", "csv"] },
      { args: ["export", "--output", "meta.json"] },
      { args: ["export", "--include-values", "--output", "refused.json"] },
      {
        args: ["export", "--encrypt", "--output", "bundle.coffer"],
        env: { COFFER_EXPORT_PASSPHRASE: "canary passphrase" },
      },
      { args: ["rotate", "sentinel-copy", "--generate"] },
      { args: ["entangle", "sentinel-key", "sentinel-mirror"] },
      { args: ["env"] },
      { args: ["__complete", "--", "get", ""] },
      { args: ["secret", "ls"] },
      { args: ["token", "create", "canary-token", "--scopes", "secrets:read"] },
      { args: ["delete", "sentinel-copy"] },
      { args: ["delete", "sentinel-copy", "--confirm"] },
      { args: ["restore", "sentinel-copy"] },
      { args: ["scan"] },
      { args: ["scan", "--json"] },
      { args: ["scan", "--format", "sarif"] },
      { args: ["scan", "--format", "json", "--generic"] },
      { args: ["migrate", "leak.env", "--dry-run"] },
      { args: ["migrate", "leak.env", "--json"] },
      { args: ["run", "--env-file", "leak.env", "--", process.execPath, "-e", "console.log(process.env.REF)"] },
      {
        args: ["mcp", "wrap", "--", process.execPath, "-e", "console.log(process.env.WRAPPED)"],
        env: { WRAPPED: "coffer://sentinel-key" },
      },
    ];
    for (const c of commands) {
      const r = await w.run(c.args, { input: c.input, env: c.env });
      expect(`${r.stdout}\n${r.stderr}`, `coffer ${c.args.join(" ")}`).not.toContain(SENTINEL);
      expect(`${r.stdout}${r.stderr}`, `coffer ${c.args.join(" ")}`).not.toContain(SENTINEL.slice(0, 20));
    }
    // Terminal prompts: the typed value is not echoed.
    const typed = await w.runInTerminal(
      ["set", "typed-canary"],
      [{ when: /input hidden\): $/, send: `${SENTINEL}\r` }],
    );
    expect(typed.code).toBe(0);
    expect(typed.raw).not.toContain(SENTINEL);

    for (const out of w.transcript) expect(out).not.toContain(SENTINEL);
    // No file anywhere in the world holds it in clear text, the encrypted store included.
    expect(filesContaining(w.root, SENTINEL)).toEqual([]);
    // The value is still there and still readable when asked for explicitly.
    expect((await w.run(["get", "sentinel-key", "--plain"])).stdout).toBe(`${SENTINEL}\n`);
  });
});

describe("import progress", () => {
  let w: CliWorld;
  beforeAll(() => {
    w = createWorld();
  });
  afterAll(() => w.cleanup());

  it("draws a progress bar for a large file on a terminal, and none when piped", async () => {
    const lines = Array.from({ length: 120 }, (_, i) => `KEY_${i}=value-${i}-xxxxxxxx`);
    writeFileSync(join(w.cwd, "big.env"), `${lines.join("\n")}\n`);
    const tty = await w.runInTerminal(["import", "big.env"], []);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/Importing \[#+-*\] \d+\/120/);
    expect(tty.stdout).toMatch(/Importing \[#{30}\] 120\/120/);
    expect(tty.stdout).toMatch(/Created: 120/);
    const piped = await w.run(["import", "big.env"]);
    expect(piped.stderr).not.toMatch(/Importing \[/);
    expect(piped.stdout).toMatch(/Unchanged: 120/);
  });
});
