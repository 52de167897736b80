/**
 * Indexes earlier versions created and this one drops (on a store's first audit append): an index
 * on the random `hash` column made every append write to a random page, for a lookup that only
 * classifies an already broken chain.
 */
export const LEGACY_INDEXES_SQL = "DROP INDEX IF EXISTS audit_log_hash";

/**
 * On-disk format written by this version. Stores with a higher number are refused; format 1
 * stores are upgraded on open (see `upgradeToFormat2`).
 */
export const STORE_FORMAT = 2;

/**
 * Columns format 2 adds to `secret_states`: the key of the next state in key order (NULL for the
 * last) and the state record's HMAC (see `stateMac`).
 */
export const STATE_LINK_COLUMNS = ["next_scope TEXT", "next_name TEXT", "next_env TEXT", "mac BLOB"] as const;

/**
 * Tables of format 2. Values, service documents and cache entries are AES-256-GCM ciphertext;
 * names, scopes, envs, attributes and audit entries are stored in clear (by design: they are
 * listed and queried without the key, and never contain values).
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS secret_states (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  env TEXT NOT NULL,
  current_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT,
  purge_at TEXT,
  ${STATE_LINK_COLUMNS.join(",\n  ")},
  PRIMARY KEY (scope, name, env)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS secret_states_purge_at ON secret_states (purge_at) WHERE purge_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS secret_versions (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  env TEXT NOT NULL,
  version INTEGER NOT NULL,
  ciphertext BLOB NOT NULL,
  encoding TEXT NOT NULL,
  attributes TEXT NOT NULL,
  reason TEXT,
  created_at TEXT NOT NULL,
  valid_until TEXT,
  PRIMARY KEY (scope, name, env, version)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS documents (
  collection TEXT NOT NULL,
  key TEXT NOT NULL,
  ciphertext BLOB NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (collection, key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS cache_entries (
  namespace TEXT NOT NULL,
  key TEXT NOT NULL,
  ciphertext BLOB NOT NULL,
  stored_at TEXT NOT NULL,
  PRIMARY KEY (namespace, key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  accessor TEXT NOT NULL,
  front_end TEXT NOT NULL,
  action TEXT NOT NULL,
  name TEXT,
  scope TEXT,
  env TEXT,
  provider TEXT,
  success INTEGER NOT NULL,
  error_code TEXT,
  purpose TEXT,
  fingerprint TEXT,
  version INTEGER,
  details TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS audit_log_name ON audit_log (name, seq);
CREATE INDEX IF NOT EXISTS audit_log_accessor ON audit_log (accessor, seq);
CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (time);
`;
