import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, postgresUnavailableReason, startPostgres } from "../src/index.js";

function psql(pg: PostgresServer, sql: string, database = pg.database): { status: number | null; out: string } {
  const run = spawnSync(
    join(pg.bindir, "psql"),
    ["-h", pg.host, "-p", String(pg.port), "-U", pg.user, "-d", database, "-At", "-c", sql],
    { encoding: "utf8", env: { ...process.env, PGPASSWORD: pg.password } },
  );
  return { status: run.status, out: `${run.stdout}${run.stderr}`.trim() };
}

describe("startPostgres: missing binaries", () => {
  it("fails clearly instead of hanging", async () => {
    await expect(startPostgres({ bindir: "/nonexistent/coffer-pg-bin" })).rejects.toThrow(
      /cannot start PostgreSQL|initdb failed|ENOENT/,
    );
  });
});

describe.skipIf(postgresUnavailableReason() !== undefined)("startPostgres", () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it("serves PostgreSQL 13+ on 127.0.0.1 with password authentication", () => {
    expect(pg.connectionString).toMatch(/^postgres:\/\/coffer:[^@]+@127\.0\.0\.1:\d+\/coffer$/);
    const version = psql(pg, "SHOW server_version_num");
    expect(version.status).toBe(0);
    expect(Number(version.out)).toBeGreaterThanOrEqual(130000);
    const wrong = spawnSync(
      join(pg.bindir, "psql"),
      ["-h", pg.host, "-p", String(pg.port), "-U", pg.user, "-d", pg.database, "-c", "SELECT 1"],
      {
        encoding: "utf8",
        env: { ...process.env, PGPASSWORD: "not-the-password" },
      },
    );
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/password authentication failed/);
  });

  it("creates databases, dumps them, and survives a pause and start with its data", async () => {
    await pg.createDatabase("harness_check");
    expect(psql(pg, "CREATE TABLE t (v text); INSERT INTO t VALUES ('harness-sentinel')", "harness_check").status).toBe(
      0,
    );
    expect(pg.dump("harness_check")).toContain("harness-sentinel");
    await pg.pause();
    expect(psql(pg, "SELECT 1", "harness_check").status).not.toBe(0);
    await pg.start();
    expect(psql(pg, "SELECT v FROM t", "harness_check").out).toBe("harness-sentinel");
  }, 60_000);

  it("stop() ends the server and removes its directory", async () => {
    const other = await startPostgres();
    expect(existsSync(join(other.directory, "data", "PG_VERSION"))).toBe(true);
    if (process.getuid?.() === 0) expect(statSync(other.directory).uid).not.toBe(0);
    await other.stop();
    expect(psql(other, "SELECT 1").status).not.toBe(0);
    expect(existsSync(other.directory)).toBe(false);
  }, 120_000);
});
