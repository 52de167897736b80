// Raw better-sqlite3 on the local store's table shape (secret_states + secret_versions,
// WITHOUT ROWID, same keys, WAL, synchronous=FULL): what a point read and a durable write cost
// before encryption, validation, audit and bookkeeping.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { requireFrom } from "./workspace.mjs";

const Database = requireFrom("packages/provider-local")("better-sqlite3");

const SCHEMA = `
CREATE TABLE secret_states (scope TEXT NOT NULL, name TEXT NOT NULL, env TEXT NOT NULL,
  current_version INTEGER NOT NULL, created_at TEXT NOT NULL, deleted_at TEXT, purge_at TEXT,
  PRIMARY KEY (scope, name, env)) WITHOUT ROWID;
CREATE TABLE secret_versions (scope TEXT NOT NULL, name TEXT NOT NULL, env TEXT NOT NULL,
  version INTEGER NOT NULL, ciphertext BLOB NOT NULL, encoding TEXT NOT NULL, attributes TEXT NOT NULL,
  reason TEXT, created_at TEXT NOT NULL, valid_until TEXT, PRIMARY KEY (scope, name, env, version)) WITHOUT ROWID;`;

/** Open a raw store in `dir` holding `names`, each with one version of a `valueBytes` blob. */
export function openRawStore(dir, names, valueBytes = 60) {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(SCHEMA);
  const now = new Date().toISOString();
  const state = db.prepare("INSERT INTO secret_states VALUES ('global', ?, '', 1, ?, NULL, NULL)");
  const version = db.prepare(
    "INSERT INTO secret_versions VALUES ('global', ?, '', 1, ?, 'utf-8', '{}', 'write', ?, NULL)",
  );
  db.transaction(() => {
    for (const n of names) {
      state.run(n, now);
      version.run(n, randomBytes(valueBytes), now);
    }
  })();
  const readState = db.prepare(
    "SELECT current_version FROM secret_states WHERE scope = 'global' AND name = ? AND env = ''",
  );
  const readVersion = db.prepare(
    "SELECT ciphertext, encoding, attributes, created_at FROM secret_versions WHERE scope = 'global' AND name = ? AND env = '' AND version = ?",
  );
  const insertVersion = db.prepare(
    "INSERT INTO secret_versions VALUES ('global', ?, '', ?, ?, 'utf-8', '{}', 'write', ?, NULL)",
  );
  const bump = db.prepare(
    "UPDATE secret_states SET current_version = ? WHERE scope = 'global' AND name = ? AND env = ''",
  );
  const prune = db.prepare(
    "DELETE FROM secret_versions WHERE scope = 'global' AND name = ? AND env = '' AND version <= ?",
  );
  const write = db.transaction((name, blob) => {
    const next = readState.get(name).current_version + 1;
    insertVersion.run(name, next, blob, new Date().toISOString());
    bump.run(next, name);
    prune.run(name, next - 10);
  });
  return {
    /** Read the current version of one name (two primary-key lookups). */
    get(name) {
      const s = readState.get(name);
      return readVersion.get(name, s.current_version);
    },
    /** Write a new version in its own IMMEDIATE transaction (durable commit), keeping 10. */
    set(name, blob) {
      write.immediate(name, blob);
    },
    close: () => db.close(),
  };
}
