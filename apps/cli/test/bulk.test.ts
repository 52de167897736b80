import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, createWorld, envelope } from "./cli-harness.js";

const STRIPE = "sk_live_bulk_4242424242424242";
const PASSPHRASE = "correct horse battery staple";

describe("coffer import / export", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld();
  });
  afterAll(() => w.cleanup());

  it("imports a .env file with a duplicate-key warning, and a dry run writes nothing", async () => {
    writeFileSync(
      join(w.cwd, ".env.production"),
      `API_KEY_STRIPE=${STRIPE}\nDATABASE_PASSWORD=secret123\nAPI_KEY_STRIPE=${STRIPE}\n`,
    );
    const dry = await w.run(["import", ".env.production", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: 2 secrets in \.env\.production; nothing was written\n {2}Would create: 2/);
    expect(dry.stdout).toMatch(/│ API_KEY_STRIPE +│ create │/);
    expect((await w.run(["has", "DATABASE_PASSWORD"])).code).toBe(1);
    const real = await w.run(["import", ".env.production", "--tags", "imported"]);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(
      /✓ Imported \.env\.production: 2 secrets\n {2}Created: 2\n {2}Updated: 0\n {2}Unchanged: 0\n {2}Skipped: 0\n {2}Warnings: 1/,
    );
    expect(real.stderr).toMatch(/⚠ Warning: .*API_KEY_STRIPE was already set on line 1/);
    expect(real.stdout + real.stderr).not.toContain(STRIPE);
    expect((await w.run(["get", "API_KEY_STRIPE", "--plain"])).stdout).toBe(`${STRIPE}\n`);
    const again = envelope<{ unchanged: number; created: number }>(
      await w.run(["import", ".env.production", "--json"]),
    );
    expect(again.data).toMatchObject({ created: 0, unchanged: 2 });
  });

  it("imports JSON with attributes, and skips existing secrets on request", async () => {
    const json = {
      "api-key-stripe": "sk_live_abc123",
      "api-token": { value: "token_xyz", tags: ["production", "api"], expiresAt: "2099-12-31" },
      DATABASE_PASSWORD: "changed-value",
    };
    writeFileSync(join(w.cwd, "secrets.json"), JSON.stringify(json));
    const r = await w.run(["import", "secrets.json", "--skip-existing", "--json"]);
    const body = envelope<{ created: number; skipped: number; items: Array<{ name: string; action: string }> }>(r);
    expect(body.data.created).toBe(2);
    expect(body.data.skipped).toBe(1);
    expect((await w.run(["get", "DATABASE_PASSWORD", "--plain"])).stdout).toBe("secret123\n");
    expect((await w.run(["get", "api-token"])).stdout).toMatch(/Tags: production, api[\s\S]*Expires: 2099-12-31/);
  });

  it("reports a bad import file without its content", async () => {
    writeFileSync(join(w.cwd, "bad.json"), '{"ok-name": "v", "bad name": "sk_live_should_not_show"}');
    const r = await w.run(["import", "bad.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad name/);
    expect(r.stderr).not.toContain("sk_live_should_not_show");
    expect((await w.run(["import", "missing-file.env"])).code).toBe(3);
  });

  it("exports metadata only by default, in json, yaml, csv and env", async () => {
    const json = await w.run(["export"]);
    expect(json.code).toBe(0);
    const items = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(items.map((i) => i.name)).toEqual(expect.arrayContaining(["API_KEY_STRIPE", "api-token"]));
    expect(json.stdout).not.toContain(STRIPE);
    expect(items.every((i) => i.value === undefined)).toBe(true);
    const csv = await w.run(["export", "--format", "csv"]);
    expect(csv.stdout.split("\n")[0]).toMatch(/^name,scope,env,version,provider/);
    const env = await w.run(["export", "--format", "env", "--pattern", "API_*"]);
    expect(env.stdout).toBe("API_KEY_STRIPE=\n");
    const yaml = await w.run(["export", "--format", "yaml", "--tags", "api"]);
    expect(yaml.stdout).toMatch(/name: api-token/);
  });

  it("asks before exporting values, writes them 0600, and refuses files tracked by git", async () => {
    const refused = await w.run(["export", "--include-values", "--output", "values.json"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    const ok = await w.run([
      "export",
      "--include-values",
      "--output",
      "values.env",
      "--format",
      "env",
      "--pattern",
      "API_KEY_*",
      "--yes",
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Exported 1 secret \(with values\) to values\.env \(mode 0600\)/);
    expect(statSync(join(w.cwd, "values.env")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(w.cwd, "values.env"), "utf8")).toBe(`API_KEY_STRIPE=${STRIPE}\n`);

    execFileSync("git", ["init", "-q"], { cwd: w.cwd });
    writeFileSync(join(w.cwd, "tracked.json"), "{}\n");
    execFileSync("git", ["add", "tracked.json"], { cwd: w.cwd });
    const tracked = await w.run(["export", "--include-values", "--output", "tracked.json", "--yes"]);
    expect(tracked.code).toBe(6);
    expect(tracked.stderr).toMatch(/tracked by git/);
    expect(readFileSync(join(w.cwd, "tracked.json"), "utf8")).toBe("{}\n");
    const forced = await w.run(["export", "--include-values", "--output", "tracked.json", "--yes", "--force"]);
    expect(forced.code).toBe(0);
    const untracked = await w.run(["export", "--include-values", "--output", "loose.json", "--yes"]);
    expect(untracked.stderr).toMatch(/not ignored/);
  });

  it("confirms a value export on a terminal", async () => {
    const no = await w.runInTerminal(
      ["export", "--include-values", "--output", "tty.json"],
      [{ when: /Continue\? \(yes\/no\): $/, send: "no\r" }],
    );
    expect(no.code).toBe(1);
    expect(no.stdout).toMatch(/clear text to tty\.json/);
    const yes = await w.runInTerminal(
      ["export", "--include-values", "--output", "tty.json"],
      [{ when: /Continue\? \(yes\/no\): $/, send: "yes\r" }],
    );
    expect(yes.code).toBe(0);
    expect(statSync(join(w.cwd, "tty.json")).mode & 0o777).toBe(0o600);
  });

  it("writes an encrypted bundle that another machine imports with the passphrase", async () => {
    await w.run(["set", "team-key", "--scope", "team:acme", "--description", "team secret"], {
      input: "team-value-777",
    });
    const exp = await w.run(["export", "--encrypt", "--output", "backup.coffer"], {
      env: { COFFER_EXPORT_PASSPHRASE: PASSPHRASE },
    });
    expect(exp.code, exp.stderr).toBe(0);
    const bundle = readFileSync(join(w.cwd, "backup.coffer"), "utf8");
    expect(JSON.parse(bundle).format).toBe("coffer-bundle");
    for (const clear of [STRIPE, "team-value-777", "API_KEY_STRIPE", "team secret"])
      expect(bundle).not.toContain(clear);
    expect(statSync(join(w.cwd, "backup.coffer")).mode & 0o777).toBe(0o600);

    const other = createWorld();
    try {
      const { copyFileSync } = await import("node:fs");
      copyFileSync(join(w.cwd, "backup.coffer"), join(other.cwd, "backup.coffer"));
      const noPass = await other.run(["import", "backup.coffer"]);
      expect(noPass.code).toBe(2);
      expect(noPass.stderr).toMatch(/COFFER_EXPORT_PASSPHRASE/);
      const wrong = await other.run(["import", "backup.coffer"], {
        env: { COFFER_EXPORT_PASSPHRASE: "not the passphrase" },
      });
      expect(wrong.code).toBe(10);
      const r = await other.run(["import", "backup.coffer"], { env: { COFFER_EXPORT_PASSPHRASE: PASSPHRASE } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Imported backup\.coffer \(encrypted bundle\)/);
      expect((await other.run(["get", "API_KEY_STRIPE", "--plain"])).stdout).toBe(`${STRIPE}\n`);
      const team = await other.run(["get", "team-key", "--scope", "team:acme"]);
      expect(team.stdout).toMatch(/Scope: team:acme[\s\S]*Description: team secret/);
      const tty = await other.runInTerminal(
        ["import", "backup.coffer", "--skip-existing"],
        [{ when: /Bundle passphrase \(input hidden\): $/, send: `${PASSPHRASE}\r` }],
      );
      expect(tty.code).toBe(0);
      expect(tty.stdout).not.toContain(PASSPHRASE);
    } finally {
      other.cleanup();
    }
  });
});
