import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, COFFER_BIN, createWorld, envelope } from "./cli-harness.js";

const OPENAI = "sk-proj-migrate-4f9a8b7c6d5e4f3a";
const DB = "postgres://app:s3cr3t-pass@db:5432/app";

describe("coffer migrate", () => {
  let w: CliWorld;
  beforeAll(() => {
    w = createWorld({ COFFER_MASTER_KEY: randomBytes(32).toString("hex") });
  });
  afterAll(() => w.cleanup());

  it("dry run names keys and lines, never values, and changes nothing", async () => {
    const text = `# app\nOPENAI_API_KEY=${OPENAI}\nexport DATABASE_URL="${DB}"\n`;
    writeFileSync(join(w.cwd, ".env"), text);
    const r = await w.run(["migrate", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("OPENAI_API_KEY");
    expect(r.stdout).toContain("coffer://DATABASE_URL");
    expect(r.stdout + r.stderr).not.toContain(OPENAI);
    expect(r.stdout + r.stderr).not.toContain("s3cr3t-pass");
    expect(readFileSync(join(w.cwd, ".env"), "utf8")).toBe(text);
    expect((await w.run(["has", "OPENAI_API_KEY"])).code).not.toBe(0);
  });

  it("stores the values, rewrites the file in place keeping its mode, and run --env-file gets the values back", async () => {
    const path = join(w.cwd, ".env");
    chmodSync(path, 0o640);
    const r = await w.run(["migrate", ".env", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(OPENAI);
    const data = envelope<{
      files: Array<{ file: string; changed: boolean; items: Array<{ key: string; action: string }> }>;
    }>(r).data;
    expect(data.files[0]!.items.map((i) => [i.key, i.action])).toEqual([
      ["OPENAI_API_KEY", "create"],
      ["DATABASE_URL", "create"],
    ]);
    expect(readFileSync(path, "utf8")).toBe(
      '# app\nOPENAI_API_KEY=coffer://OPENAI_API_KEY\nexport DATABASE_URL="coffer://DATABASE_URL"\n',
    );
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(w.cwd).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const run = await w.run([
      "run",
      "--env-file",
      ".env",
      "--no-redact",
      "--",
      process.execPath,
      "-e",
      "console.log(process.env.OPENAI_API_KEY + ' ' + process.env.DATABASE_URL)",
    ]);
    expect(run.stdout).toBe(`${OPENAI} ${DB}\n`);
    // Migrating again changes nothing.
    const again = await w.run(["migrate", "--json"]);
    expect(envelope<{ files: Array<{ changed: boolean }> }>(again).data.files[0]!.changed).toBe(false);
  });

  it("a value that differs from the stored one is a conflict (exit 5) that leaves the file alone", async () => {
    const text = "OPENAI_API_KEY=sk-proj-some-other-value-123\nNEW_ONE=fresh-value-456\n";
    writeFileSync(join(w.cwd, "other.env"), text);
    const r = await w.run(["migrate", "other.env"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("OPENAI_API_KEY");
    expect(r.stderr).not.toContain("some-other-value");
    expect(readFileSync(join(w.cwd, "other.env"), "utf8")).toBe(text);
    expect((await w.run(["has", "NEW_ONE"])).code).not.toBe(0);
    const forced = await w.run(["migrate", "other.env", "--overwrite"]);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(w.cwd, "other.env"), "utf8")).toBe(
      "OPENAI_API_KEY=coffer://OPENAI_API_KEY\nNEW_ONE=coffer://NEW_ONE\n",
    );
  });

  it("follows a symbolic link: the file it points to is rewritten, the link stays", async () => {
    mkdirSync(join(w.cwd, "shared"));
    writeFileSync(join(w.cwd, "shared", "real.env"), "LINKED_KEY=linked-value-12345\n");
    symlinkSync(join("shared", "real.env"), join(w.cwd, "link.env"));
    const r = await w.run(["migrate", "link.env"]);
    expect(r.code).toBe(0);
    expect(lstatSync(join(w.cwd, "link.env")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(w.cwd, "shared", "real.env"), "utf8")).toBe("LINKED_KEY=coffer://LINKED_KEY\n");
  });

  it("a kill at any moment of the rewrite leaves the old file or the new one, never a torn one", async () => {
    // A large file (comments around a few values) so that writing it takes a while.
    const filler = `# ${"x".repeat(78)}\n`.repeat(100_000);
    const keys = Array.from({ length: 5 }, (_, i) => `KILL_${i}`);
    const original =
      filler + keys.map((k, i) => `${k}="value-${i}-${randomBytes(6).toString("hex")}"\n`).join("") + filler;
    const expected = filler + keys.map((k) => `${k}="coffer://${k}"\n`).join("") + filler;
    const path = join(w.cwd, "big.env");
    const fingerprint = () => {
      const st = statSync(path);
      return `${st.ino}:${st.size}:${st.mtimeMs}:${readdirSync(w.cwd).filter((f) => f.includes("big.env.")).length}`;
    };
    for (let attempt = 0; attempt < 8; attempt++) {
      writeFileSync(path, original);
      const before = fingerprint();
      const child = spawn(process.execPath, [COFFER_BIN, "migrate", "big.env", "--overwrite"], {
        cwd: w.cwd,
        env: w.env,
        stdio: "ignore",
      });
      const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
      // Watch (busy) for the first sign of the rewrite, then kill at once or a little later.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && fingerprint() === before && child.exitCode === null) {}
      const killAt = Date.now() + attempt * 2;
      while (Date.now() < killAt) {}
      child.kill("SIGKILL");
      await closed;
      const now = readFileSync(path, "utf8");
      expect(now === original || now === expected).toBe(true);
    }
    // Run to completion: the new file.
    writeFileSync(path, original);
    expect((await w.run(["migrate", "big.env", "--overwrite"])).code).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(expected);
  }, 120_000);
});
