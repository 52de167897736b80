import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Accessor } from "@coffer/core";
import { type PostgresServer, postgresUnavailableReason, startPostgres } from "@coffer/test-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCoffer } from "../src/index.js";
import { tempDir } from "./helpers.js";

const PG_SKIP_REASON = postgresUnavailableReason();
const alice: Accessor = { id: "alice", kind: "user", frontEnd: "cli" };

describe.skipIf(PG_SKIP_REASON !== undefined)("providers.postgres in coffer.yaml", () => {
  let pg: PostgresServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
  it("builds the postgres provider from config (connection string from ${env:...}) and keeps service state and audit in it", async () => {
    const connectionString = await pg.createDatabase(`rt_${process.pid}`);
    const project = tempDir("coffer-pg-project-");
    const home = tempDir("coffer-pg-home-");
    dirs.push(project, home);
    writeFileSync(
      join(project, "coffer.yaml"),
      [
        "defaultProvider: postgres",
        "providers:",
        "  postgres:",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
        "    connectionString: ${env:TEAM_DB_URL}",
        "    poolSize: 4",
        "",
      ].join("\n"),
    );
    const env = {
      COFFER_HOME: home,
      COFFER_MASTER_KEY: randomBytes(32).toString("hex"),
      TEAM_DB_URL: connectionString,
      PATH: process.env.PATH ?? "",
    };
    const first = await openCoffer({ cwd: project, env, accessor: alice });
    const second = await openCoffer({ cwd: project, env, accessor: alice });
    try {
      const meta = await first.coffer.set("TEAM_API_KEY", "team-value-1");
      expect(meta.provider).toBe("postgres");
      const read = await second.coffer.get("TEAM_API_KEY", { reveal: true, purpose: "test" });
      expect(read.value).toBe("team-value-1");
      expect(read.provider).toBe("postgres");
      await first.documents?.put("probe", "k", { shared: true });
      expect(await second.documents?.get("probe", "k")).toEqual({ shared: true });
      const entries = await second.coffer.audit({ name: "TEAM_API_KEY" });
      expect(entries.map((e) => e.action)).toContain("write");
      expect(pg.dump(`rt_${process.pid}`)).not.toContain("team-value-1");
    } finally {
      await first.coffer.dispose();
      await second.coffer.dispose();
    }
  });
});
