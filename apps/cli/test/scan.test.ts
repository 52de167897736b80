import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, createWorld, envelope } from "./cli-harness.js";

const CURRENT = "sk_live_scan_current_7f3a9c2e5b";
const OLD = "sk_live_scan_old_version_41d8e0";
const TEAM = "team-db-password-6c1f0a9b";
const VALUES = [CURRENT, OLD, TEAM];

interface Finding {
  rule: string;
  source: string;
  file: string;
  line: number;
  column: number;
  secret?: string;
  version?: number;
  commit?: string;
}

interface SarifResult {
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } };
  }>;
  properties: { source: string };
}

/** Structural checks of a SARIF 2.1.0 log (the parts of the schema a log of results uses). */
function validateSarif(log: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (log.version !== "2.1.0") errors.push("version must be 2.1.0");
  if (typeof log.$schema !== "string") errors.push("$schema should be a string");
  if (!Array.isArray(log.runs) || log.runs.length === 0) return [...errors, "runs must be a non-empty array"];
  for (const run of log.runs as unknown[]) {
    if (!isObj(run)) {
      errors.push("run must be an object");
      continue;
    }
    const driver = isObj(run.tool) && isObj(run.tool.driver) ? run.tool.driver : undefined;
    if (!driver || typeof driver.name !== "string") errors.push("runs[].tool.driver.name is required");
    const rules = Array.isArray(driver?.rules) ? (driver.rules as Array<Record<string, unknown>>) : [];
    for (const r of rules) if (typeof r.id !== "string") errors.push("rule id must be a string");
    if (run.columnKind !== undefined && !["utf16CodeUnits", "unicodeCodePoints"].includes(run.columnKind as string))
      errors.push("columnKind");
    if (!Array.isArray(run.results)) errors.push("runs[].results must be an array");
    for (const res of (run.results as unknown[]) ?? []) {
      if (!isObj(res)) {
        errors.push("result must be an object");
        continue;
      }
      if (!isObj(res.message) || typeof res.message.text !== "string") errors.push("result.message.text is required");
      if (typeof res.ruleId !== "string" || !rules.some((r) => r.id === res.ruleId))
        errors.push("result.ruleId must name a rule");
      if (typeof res.ruleIndex === "number" && rules[res.ruleIndex]?.id !== res.ruleId)
        errors.push("ruleIndex mismatch");
      if (!["none", "note", "warning", "error", undefined].includes(res.level as string)) errors.push("level");
      for (const loc of (res.locations as unknown[]) ?? []) {
        const phys = isObj(loc) && isObj(loc.physicalLocation) ? loc.physicalLocation : undefined;
        const uri = isObj(phys?.artifactLocation) ? phys.artifactLocation.uri : undefined;
        if (typeof uri !== "string") errors.push("artifactLocation.uri is required");
        const region = isObj(phys?.region) ? phys.region : undefined;
        if (!region || !Number.isInteger(region.startLine) || (region.startLine as number) < 1)
          errors.push("region.startLine >= 1");
        if (
          region?.startColumn !== undefined &&
          (!Number.isInteger(region.startColumn) || (region.startColumn as number) < 1)
        )
          errors.push("region.startColumn >= 1");
      }
    }
  }
  return errors;
}

describe("coffer scan", () => {
  let w: CliWorld;
  const git = (...args: string[]) => execFileSync("git", args, { cwd: w.cwd, encoding: "utf8" });
  beforeAll(async () => {
    w = createWorld({ COFFER_MASTER_KEY: randomBytes(32).toString("hex") });
    await w.run(["set", "STRIPE_KEY"], { input: OLD });
    await w.run(["set", "STRIPE_KEY"], { input: CURRENT });
    await w.run(["set", "DB_PASSWORD", "--scope", "team:acme"], { input: TEAM });
    await w.run(["set", "TINY"], { input: "1234567" });
    git("init", "-q");
    git("config", "user.email", "dev@example.test");
    git("config", "user.name", "dev");
    // History: the old value committed once, then removed.
    writeFileSync(join(w.cwd, "config.js"), `const a = 1;\nconst key = "${OLD}";\n`);
    git("add", "config.js");
    git("commit", "-qm", "first");
    writeFileSync(join(w.cwd, "config.js"), "const a = 1;\nconst key = process.env.KEY;\n");
    git("add", "config.js");
    git("commit", "-qm", "second");
    // Index: staged, then changed back in the working tree.
    writeFileSync(join(w.cwd, "staged.txt"), `x\n\n  ✓ token=${CURRENT}\n`);
    git("add", "staged.txt");
    writeFileSync(join(w.cwd, "staged.txt"), "clean now\n");
    // Working tree only.
    mkdirSync(join(w.cwd, "deploy"));
    writeFileSync(join(w.cwd, "deploy", "notes.md"), `# notes\npassword: ${TEAM} and 1234567\n`);
  });
  afterAll(() => w.cleanup());

  const run = async (args: string[]) => {
    const r = await w.run(args);
    for (const v of VALUES) {
      expect(r.stdout).not.toContain(v);
      expect(r.stderr).not.toContain(v);
    }
    return r;
  };

  it("finds values in the working tree with exact positions, exit 1", async () => {
    const r = await run(["scan", "--format", "json"]);
    expect(r.code).toBe(1);
    const data = JSON.parse(r.stdout) as { findings: Finding[]; values: number };
    expect(data.values).toBe(3);
    expect(data.findings.map((f) => [f.source, f.file, f.line, f.column, f.secret, f.version])).toEqual([
      ["worktree", "deploy/notes.md", 2, 11, "DB_PASSWORD", 1],
    ]);
    const text = await run(["scan", "deploy"]);
    expect(text.stdout).toBe("deploy/notes.md:2:11: stored secret DB_PASSWORD (scope team:acme, version 1)\n");
  });

  it("finds staged content (--staged) and past content (--history), naming old versions", async () => {
    const staged = await run(["scan", "--staged", "--json"]);
    expect(staged.code).toBe(1);
    const sf = envelope<{ findings: Finding[] }>(staged).data.findings;
    expect(sf.map((f) => [f.source, f.file, f.line, f.column, f.secret, f.version])).toEqual([
      ["index", "staged.txt", 3, 11, "STRIPE_KEY", 2],
    ]);
    const history = await run(["scan", "--history", "--json"]);
    const hf = envelope<{ findings: Finding[] }>(history).data.findings;
    const first = git("rev-list", "--max-parents=0", "HEAD").trim();
    expect(hf.map((f) => [f.source, f.file, f.line, f.column, f.secret, f.version, f.commit])).toEqual([
      ["history", "config.js", 2, 14, "STRIPE_KEY", 1, first],
    ]);
  });

  it("writes valid SARIF 2.1.0 with the same findings", async () => {
    const r = await run(["scan", ".", "--staged", "--history", "--format", "sarif"]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(validateSarif(log)).toEqual([]);
    const results = (log.runs as Array<{ results: SarifResult[] }>)[0]!.results;
    expect(
      results.map((x) => [
        x.locations[0]!.physicalLocation.artifactLocation.uri,
        x.locations[0]!.physicalLocation.region.startLine,
        x.locations[0]!.physicalLocation.region.startColumn,
        x.properties.source,
      ]),
    ).toEqual([
      ["deploy/notes.md", 2, 11, "worktree"],
      ["staged.txt", 3, 11, "index"],
      ["config.js", 2, 14, "history"],
    ]);
  });

  it("exits 0 on a clean tree; --generic adds key-shaped strings", async () => {
    writeFileSync(join(w.cwd, "clean.txt"), "nothing here\n");
    expect((await run(["scan", "clean.txt"])).code).toBe(0);
    writeFileSync(join(w.cwd, "aws.txt"), "id = AKIAIOSFODNN7EXAMPLE\n");
    expect((await run(["scan", "aws.txt"])).code).toBe(0);
    const g = await run(["scan", "aws.txt", "--generic"]);
    expect(g.code).toBe(1);
    expect(g.stdout).toBe("aws.txt:1:6: possible credential: AWS access key id\n");
  });

  it("--install-hook adds a pre-commit hook that blocks a commit holding a value", async () => {
    const r = await run(["scan", "--install-hook"]);
    expect(r.code).toBe(0);
    const hook = join(w.cwd, ".git", "hooks", "pre-commit");
    expect(statSync(hook).mode & 0o100).toBe(0o100);
    expect(readFileSync(hook, "utf8")).toContain("scan --staged");
    expect((await run(["scan", "--install-hook"])).code).toBe(0);
    const env = { ...process.env, ...w.env } as NodeJS.ProcessEnv;
    // staged.txt (staged with the value) is still in the index: the commit is refused.
    const blocked = spawnSync("git", ["commit", "-qm", "leak"], { cwd: w.cwd, env, encoding: "utf8" });
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain("staged.txt:3:11");
    expect(blocked.stdout + blocked.stderr).not.toContain(CURRENT);
    git("add", "staged.txt");
    const ok = spawnSync("git", ["commit", "-qm", "clean"], { cwd: w.cwd, env, encoding: "utf8" });
    expect(ok.status).toBe(0);
    writeFileSync(hook, "#!/bin/sh\necho mine\n");
    const refused = await run(["scan", "--install-hook"]);
    expect(refused.code).toBe(5);
  });
});
