import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { GLOBAL, openLocal, tempHome } from "./support/temp-home.js";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const worker = join(packageDir, "test", "fixtures", "increment-worker.mjs");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

function build(dir: string): void {
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: dir, stdio: "pipe" });
}

interface WorkerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runWorker(args: string[]): Promise<WorkerResult> {
  const env = { ...process.env };
  delete env.COFFER_MASTER_KEY;
  delete env.COFFER_HOME;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [worker, ...args], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

describe("local provider: several OS processes on one store", () => {
  beforeAll(() => {
    const coreDir = join(packageDir, "..", "core");
    if (!existsSync(join(coreDir, "dist", "index.js"))) build(coreDir);
    build(packageDir);
  });

  it("loses no update when two processes increment the same secret with ifVersion", async () => {
    const home = await tempHome();
    const increments = 60;
    const startAt = String(Date.now() + 1000);
    const results = await Promise.all([
      runWorker([home, String(increments), startAt, "a", "b"]),
      runWorker([home, String(increments), startAt, "b", "a"]),
    ]);
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    const reports = results.map((r) => JSON.parse(r.stdout.trim()) as { acknowledged: number; conflicts: number });
    const acknowledged = reports.reduce((sum, r) => sum + r.acknowledged, 0);
    expect(acknowledged).toBe(2 * increments);

    // Both processes raced to create the store and its key file; this process opens what they made.
    const store = openLocal({ home });
    const counter = await store.get({ name: "COUNTER", scope: GLOBAL });
    expect(counter.version).toBe(acknowledged);
    expect(counter.value).toBe(String(acknowledged));
    expect(await store.documents.get("counters", "shared")).toBe(2 * increments);
    const audit = await store.auditLog.query({ limit: 1000 });
    expect(audit).toHaveLength(acknowledged);
    expect(new Set(audit.map((e) => e.version)).size).toBe(acknowledged);
    expect(await store.auditLog.verify()).toEqual({ ok: true, checked: acknowledged });
    expect(await store.verifyIntegrity()).toMatchObject({ ok: true, problems: [] });
  });
});
