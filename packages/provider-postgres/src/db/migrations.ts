import { CofferError } from "@coffer/core";
import type { PgDatabase, Tx } from "./pg-database.js";

/**
 * Schema migrations, in order; index + 1 is the version each one brings the schema to. Never
 * edit a released migration: add the next one. Text keys use the C collation so ordering (and
 * list cursors) are the same on every server whatever its locale. Values, documents and wrapped
 * keys are ciphertext; names, scopes, envs, attributes and audit entries are stored in clear
 * (they never hold values).
 */
export const MIGRATIONS: readonly string[] = [
  `
CREATE TABLE store_meta (
  key text COLLATE "C" PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE data_keys (
  key_scope text COLLATE "C" PRIMARY KEY,
  generation integer NOT NULL,
  wrapped text NOT NULL,
  key_check text NOT NULL,
  created_at text NOT NULL
);

CREATE TABLE secret_states (
  scope text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  env text COLLATE "C" NOT NULL,
  current_version integer NOT NULL,
  created_at text NOT NULL,
  deleted_at text,
  purge_at text,
  PRIMARY KEY (scope, name, env)
);

CREATE TABLE secret_versions (
  scope text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  env text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  key_generation integer NOT NULL,
  ciphertext bytea NOT NULL,
  encoding text NOT NULL,
  attributes text NOT NULL,
  reason text,
  created_at text NOT NULL,
  valid_until text,
  PRIMARY KEY (scope, name, env, version)
);

-- Keys are UTF-8 bytes (bytea): service keys may hold characters text columns refuse (NUL).
CREATE TABLE documents (
  collection text COLLATE "C" NOT NULL,
  key bytea NOT NULL,
  ciphertext bytea NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (collection, key)
);

CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  time text NOT NULL,
  accessor text NOT NULL,
  front_end text NOT NULL,
  action text NOT NULL,
  name text,
  scope text,
  env text,
  provider text,
  success integer NOT NULL,
  error_code text,
  purpose text,
  fingerprint text,
  version integer,
  details text,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_name ON audit_log (name, seq);
CREATE INDEX audit_log_accessor ON audit_log (accessor, seq);
CREATE INDEX audit_log_time ON audit_log (time);

-- One row: the audit chain's head and anchor, and a counter bumped by every change (replicas
-- compare it to know whether what they remember from the store still holds).
CREATE TABLE store_state (
  id integer PRIMARY KEY CHECK (id = 1),
  audit_head_seq bigint NOT NULL,
  audit_head_hash text NOT NULL,
  audit_anchor_seq bigint NOT NULL,
  audit_anchor_hash text NOT NULL,
  changes bigint NOT NULL
);
INSERT INTO store_state VALUES (1, 0, '', 0, '', 0);
`,
];

/** The schema version this code writes. A database at a higher version is refused. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Bring the schema up to {@link SCHEMA_VERSION} in one transaction, under a transaction-level
 * advisory lock so replicas starting at once migrate one after the other (the second finds the
 * work done). Creates the schema when missing.
 * @throws CofferError CONFIG when the database was migrated by a newer Coffer
 */
export async function migrate(db: PgDatabase, schema: string): Promise<void> {
  await db.transaction(async (tx: Tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", [`coffer.migrations.${schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)`,
    );
    const rows = await tx.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${schema}.schema_migrations`);
    const current = rows[0]?.v ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new CofferError(
        "CONFIG",
        `the database schema ${schema} at ${db.target} is at version ${current}, newer than this Coffer understands (${SCHEMA_VERSION}); upgrade Coffer`,
        { schemaVersion: current, supported: SCHEMA_VERSION },
      );
    }
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      await tx.query(`SET LOCAL search_path TO ${schema}`);
      await tx.query(MIGRATIONS[version - 1] as string);
      await tx.query(`INSERT INTO ${schema}.schema_migrations (version, applied_at) VALUES ($1, $2)`, [
        version,
        new Date().toISOString(),
      ]);
    }
  });
}
