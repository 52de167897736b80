import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, createWorld, envelope } from "./cli-harness.js";

const KEY = "sk_live_reference_9c2e5b8d1046aa";
const TEAM_KEY = "sk_live_team_value_77f3a9c2e5b8";

describe("references: coffer run --env-file and coffer inject", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld({ COFFER_MASTER_KEY: randomBytes(32).toString("hex") });
    await w.run(["set", "OPENAI_API_KEY"], { input: KEY });
    await w.run(["set", "OPENAI_API_KEY", "--scope", "team:acme"], { input: TEAM_KEY });
    await w.run(["set", "UNRELATED"], { input: "unrelated-secret-value" });
  });
  afterAll(() => w.cleanup());

  const printEnv =
    "console.log(JSON.stringify({A: process.env.A, B: process.env.B, T: process.env.T, U: process.env.UNRELATED ?? null}))";

  it("injects only the file's variables, references resolved, plain values as written; masks resolved values", async () => {
    writeFileSync(
      join(w.cwd, ".env"),
      "# app\nA=coffer://OPENAI_API_KEY\nB='plain value'\nT=coffer://OPENAI_API_KEY?scope=team:acme\n",
    );
    const r = await w.run([
      "run",
      "--env-file",
      ".env",
      "--",
      process.execPath,
      "-e",
      `${printEnv}; console.log(process.env.A.length, process.env.A === ${JSON.stringify(KEY)}, process.env.T === ${JSON.stringify(TEAM_KEY)})`,
    ]);
    expect(r.code).toBe(0);
    const [first, second] = r.stdout.trim().split("\n");
    expect(JSON.parse(first!)).toEqual({
      A: "[REDACTED:OPENAI_API_KEY]",
      B: "plain value",
      T: "[REDACTED:OPENAI_API_KEY]",
      U: null,
    });
    expect(second).toBe(`${KEY.length} true true`);
  });

  it("with --only as well, those secrets are injected beside the file's variables", async () => {
    writeFileSync(join(w.cwd, "only.env"), "A=coffer://OPENAI_API_KEY\n");
    const r = await w.run([
      "run",
      "--env-file",
      "only.env",
      "--only",
      "UNRELATED",
      "--",
      process.execPath,
      "-e",
      printEnv,
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ A: "[REDACTED:OPENAI_API_KEY]", U: "[REDACTED:UNRELATED]" });
  });

  it("later --env-file files override earlier ones", async () => {
    writeFileSync(join(w.cwd, "a.env"), "A=coffer://OPENAI_API_KEY\nB=first\n");
    writeFileSync(join(w.cwd, "b.env"), "B=second\n");
    const r = await w.run([
      "run",
      "--env-file",
      "a.env",
      "--env-file",
      "b.env",
      "--",
      process.execPath,
      "-e",
      printEnv,
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ A: "[REDACTED:OPENAI_API_KEY]", B: "second" });
  });

  it("an unresolvable reference fails before the command starts, naming it", async () => {
    writeFileSync(join(w.cwd, "bad.env"), "A=coffer://OPENAI_API_KEY\nM=coffer://MISSING_KEY?env=prod\n");
    const marker = join(w.cwd, "started");
    const r = await w.run([
      "run",
      "--env-file",
      "bad.env",
      "--",
      process.execPath,
      "-e",
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("coffer://MISSING_KEY?env=prod");
    expect(() => statSync(marker)).toThrow();
    // Node itself checks that a `--env-file` argument exists, even after the script path, and
    // exits 9 naming it; either way the command does not start.
    const missingFile = await w.run(["run", "--env-file", "nope.env", "--", "true"]);
    expect(missingFile.code).not.toBe(0);
    expect(missingFile.stderr).toContain("nope.env");
  });

  it("inject renders a template from a file into a new 0600 file, and from stdin to stdout", async () => {
    writeFileSync(
      join(w.cwd, "config.tpl"),
      "api:\n  key: {{ coffer://OPENAI_API_KEY }}\n  team: {{coffer://OPENAI_API_KEY?scope=team:acme}}\n",
    );
    const r = await w.run(["inject", "-i", "config.tpl", "-o", "config.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const out = join(w.cwd, "config.yaml");
    expect(readFileSync(out, "utf8")).toBe(`api:\n  key: ${KEY}\n  team: ${TEAM_KEY}\n`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(r.stderr).not.toContain(KEY);
    const piped = await w.run(["inject"], { input: "x={{ coffer://OPENAI_API_KEY }}\n" });
    expect(piped.stdout).toBe(`x=${KEY}\n`);
    const json = envelope(await w.run(["inject", "-i", "config.tpl", "-o", "c2.yaml", "--json"]));
    expect(json.data).toEqual({ output: "c2.yaml", references: 2, names: ["OPENAI_API_KEY"] });
    const audit = envelope<{ entries: Array<{ action: string; purpose?: string }> }>(
      await w.run(["audit", "--action", "reveal", "--json"]),
    );
    expect(JSON.stringify(audit.data)).toContain("coffer inject");
  });

  it("inject fails on an unresolvable reference without writing, and refuses a git-tracked output without --force", async () => {
    writeFileSync(join(w.cwd, "bad.tpl"), "a={{ coffer://OPENAI_API_KEY }}\nb={{ coffer://NOT_THERE }}\n");
    const r = await w.run(["inject", "-i", "bad.tpl", "-o", "bad.out"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("coffer://NOT_THERE");
    expect(() => statSync(join(w.cwd, "bad.out"))).toThrow();
    execFileSync("git", ["init", "-q"], { cwd: w.cwd });
    writeFileSync(join(w.cwd, "tracked.yaml"), "old\n");
    execFileSync("git", ["add", "tracked.yaml"], { cwd: w.cwd });
    const refused = await w.run(["inject", "-i", "config.tpl", "-o", "tracked.yaml"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("tracked by git");
    expect(readFileSync(join(w.cwd, "tracked.yaml"), "utf8")).toBe("old\n");
    const forced = await w.run(["inject", "-i", "config.tpl", "-o", "tracked.yaml", "--force"]);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(w.cwd, "tracked.yaml"), "utf8")).toContain(KEY);
  });
});
