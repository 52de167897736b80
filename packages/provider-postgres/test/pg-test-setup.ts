import { randomBytes } from "node:crypto";
import { type PostgresServer, postgresUnavailableReason, startPostgres } from "@coffer/test-emulators";
import { type PostgresProvider, type PostgresProviderOptions, postgres } from "../src/index.js";

/**
 * Why the PostgreSQL-backed suites are skipped here (printed loudly), or undefined when they can
 * run. Under CI=true this is always undefined, so missing binaries fail instead of skipping.
 */
export const PG_SKIP_REASON = postgresUnavailableReason();

/** A fresh master key (hex of 32 random bytes). */
export function newMasterKey(): string {
  return randomBytes(32).toString("hex");
}

let databases = 0;

/** A fresh database on `pg` and a provider over it (with a fresh master key unless given). */
export async function freshProvider(
  pg: PostgresServer,
  options: PostgresProviderOptions = {},
): Promise<{ provider: PostgresProvider; connectionString: string; database: string; masterKey: string }> {
  databases += 1;
  const database = `t_${process.pid}_${databases}_${randomBytes(3).toString("hex")}`;
  const connectionString = await pg.createDatabase(database);
  const masterKey = typeof options.masterKey === "string" ? options.masterKey : newMasterKey();
  const provider = postgres({ connectionString, masterKey, env: {}, ...options });
  return { provider, connectionString, database, masterKey };
}

export { type PostgresServer, startPostgres };
