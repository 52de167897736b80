import { createSecretKey, randomBytes, randomUUID } from "node:crypto";
import { dirname } from "node:path";
import { CofferError } from "@coffer/core";
import Database from "better-sqlite3";
import { AuthenticationFailure } from "../crypto/aead-cipher.js";
import { dataKeyCheck, deriveSubkey, matchesKeyCheck, unwrapStoreDataKey, wrapDataKey } from "../crypto/data-key.js";
import { createKeyFile, pendingKeyFilePath, promotePendingKeyFile, readKeyFile } from "../crypto/key-file.js";
import {
  checkScryptParams,
  DEFAULT_SCRYPT_PARAMS,
  deriveKeyEncryptionKey,
  describeKeySource,
  type MasterKeyMaterial,
  parseMasterKey,
} from "../crypto/master-key.js";
import { META } from "../db/meta-keys.js";
import { SCHEMA_SQL, STORE_FORMAT } from "../db/schema.js";
import { isBusy, toStoreError } from "../db/sqlite-errors.js";
import { createPrivateFile, ensurePrivateDir, tightenFileModes } from "../files/private-files.js";
import { advanceAnchor, anchorAccepts, anchorPath, readAnchor } from "../integrity/commitment-anchor.js";
import { StoreCommitment } from "../integrity/store-commitment.js";
import type { ResolvedLocalOptions } from "../local-provider-options.js";
import { upgradeToFormat2 } from "./format-upgrade.js";
import { type SessionKeys, StoreSession } from "./store-session.js";

/** SQLite's busy timeout: how long one statement waits for another process's lock. */
const BUSY_TIMEOUT_MS = 10_000;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Run `fn`, retrying SQLITE_BUSY for up to the busy timeout. Needed for the few steps SQLite does
 * not cover with its busy handler (switching a new store to WAL while another process opens it).
 */
function retryBusy<T>(fn: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
    }
    Atomics.wait(sleepCell, 0, 0, delay + Math.floor(Math.random() * delay));
  }
}

type MetaMap = Map<string, string>;

function readAllMeta(db: Database.Database): MetaMap | undefined {
  let rows: Array<{ key: string; value: string }>;
  try {
    rows = db.prepare("SELECT key, value FROM meta").all() as Array<{ key: string; value: string }>;
  } catch (err) {
    // A new store: no meta table yet (one statement instead of asking sqlite_master first).
    if (err instanceof Error && /^no such table: meta$/.test(err.message)) return undefined;
    throw err;
  }
  const meta = new Map(rows.map((r) => [r.key, r.value]));
  return meta.has(META.wrappedDataKey) ? meta : undefined;
}

function keyMismatch(o: ResolvedLocalOptions, material: MasterKeyMaterial, meta: MetaMap): CofferError {
  const expects = meta.get(META.keyKind);
  const from = describeKeySource(material, o.keyFile, o.masterKey?.label);
  let hint = `the key in force comes from ${from}; check it`;
  if (expects === "passphrase" && material.kind === "raw") {
    hint = `the key in force comes from ${from}, but this store's master key is a passphrase`;
  }
  if (expects === "raw" && material.kind === "passphrase") {
    hint = `the key in force comes from ${from}, but this store's master key is 32 random bytes (hex or base64), not a passphrase`;
  }
  return new CofferError(
    "INTEGRITY",
    `the store ${o.path} cannot be opened with the master key in force (from ${from}): the key does not match this store`,
    { path: o.path, keySource: material.source, hint },
  );
}

/** Master key given by option or env; undefined means "use the key file". */
function givenMasterKey(o: ResolvedLocalOptions): MasterKeyMaterial | undefined {
  if (!o.masterKey) return undefined;
  const label = o.masterKey.source === "env" ? "COFFER_MASTER_KEY" : "masterKey";
  return parseMasterKey(o.masterKey.text, o.masterKey.source, label);
}

function keyFileMaterial(key: Buffer): MasterKeyMaterial {
  return { kind: "raw", key, source: "key-file" };
}

function tryUnlock(material: MasterKeyMaterial, meta: MetaMap, storeId: string): SessionKeys | undefined {
  const salt = Buffer.from(meta.get(META.keySalt) ?? "", "base64");
  const params = checkScryptParams(JSON.parse(meta.get(META.kdfParams) ?? "null"));
  const kek = deriveKeyEncryptionKey(material, salt, params);
  let unwrapped: ReturnType<typeof unwrapStoreDataKey>;
  try {
    unwrapped = unwrapStoreDataKey(kek, meta.get(META.wrappedDataKey) ?? "", storeId);
  } catch (err) {
    if (err instanceof AuthenticationFailure) return undefined;
    throw err;
  }
  const { dataKey, version } = unwrapped;
  if (!matchesKeyCheck(dataKey, meta.get(META.keyCheck) ?? "")) {
    throw new CofferError("INTEGRITY", "the store's key check does not match its data key (meta table altered)");
  }
  return { dataKey, kek, material, wrapVersion: version };
}

/** Unlock an existing store; nothing is read or written before the key is known to match. */
function unlockExisting(o: ResolvedLocalOptions, meta: MetaMap): SessionKeys {
  const storeId = meta.get(META.storeId) ?? "";
  const format = Number(meta.get(META.format));
  if (format > STORE_FORMAT) {
    throw new CofferError(
      "CONFIG",
      `the store ${o.path} was written by a newer Coffer (format ${format}); upgrade Coffer`,
      {
        path: o.path,
      },
    );
  }
  const given = givenMasterKey(o);
  if (given) {
    const keys = tryUnlock(given, meta, storeId);
    if (!keys) throw keyMismatch(o, given, meta);
    return keys;
  }
  const fileKey = readKeyFile(o.keyFile);
  if (fileKey) {
    const keys = tryUnlock(keyFileMaterial(fileKey), meta, storeId);
    // A pending key file beside a key that still opens the store belongs to a rotation that has
    // not committed (it may be under way in another process, or was killed while writing it, so
    // it may be torn): it is neither read nor removed here.
    if (keys) return keys;
  }
  const pendingKey = readKeyFile(pendingKeyFilePath(o.keyFile));
  if (!fileKey && !pendingKey) {
    throw new CofferError(
      "CONFIG",
      `the store ${o.path} cannot be opened: no master key is in force (COFFER_MASTER_KEY is not set and the key file ${o.keyFile} is missing)`,
      { path: o.path, field: "keyFile", hint: "set COFFER_MASTER_KEY to the store's key, or put its key file back" },
    );
  }
  if (pendingKey) {
    // A rotation committed but stopped before replacing the key file: finish it.
    const keys = tryUnlock(keyFileMaterial(pendingKey), meta, storeId);
    if (keys) {
      promotePendingKeyFile(o.keyFile);
      return keys;
    }
  }
  throw keyMismatch(o, keyFileMaterial(fileKey ?? (pendingKey as Buffer)), meta);
}

/**
 * Create the schema and the key hierarchy of a new store. Two processes may race here: the
 * IMMEDIATE transaction lets one win, and the other unlocks what the winner wrote.
 */
function initialise(db: Database.Database, o: ResolvedLocalOptions): SessionKeys {
  const material = givenMasterKey(o) ?? keyFileMaterial(readKeyFile(o.keyFile) ?? createKeyFile(o.keyFile));
  const salt = randomBytes(16);
  const kek = deriveKeyEncryptionKey(material, salt, DEFAULT_SCRYPT_PARAMS);
  const dataKey = randomBytes(32);
  const storeId = randomUUID();
  const commitKey = createSecretKey(deriveSubkey(dataKey, "coffer-commitment"));
  const created = db
    .transaction(() => {
      db.exec(SCHEMA_SQL);
      if (readAllMeta(db)) return false;
      const insert = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
      const rows: Array<[string, string]> = [
        [META.format, String(STORE_FORMAT)],
        [META.storeId, storeId],
        [META.createdAt, o.clock().toISOString()],
        [META.keySalt, salt.toString("base64")],
        [META.kdfParams, JSON.stringify(DEFAULT_SCRYPT_PARAMS)],
        [META.keyKind, material.kind],
        [META.wrappedDataKey, wrapDataKey(kek, dataKey, storeId, 2)],
        [META.keyCheck, dataKeyCheck(dataKey)],
        [META.commitment, StoreCommitment.empty(commitKey, storeId).json],
      ];
      for (const [k, v] of rows) insert.run(k, v);
      return true;
    })
    .immediate();
  if (created) return { dataKey, kek, material, wrapVersion: 2 };
  dataKey.fill(0);
  return unlockExisting(o, readAllMeta(db) as MetaMap);
}

/**
 * Compare the store's commitment with its anchor file when opening. A commitment that does not
 * authenticate, or one older than the anchor (the store file replaced by an earlier copy), marks
 * the session tampered with: reads and writes then fail with INTEGRITY and verification reports
 * it. A missing anchor (a new store, or the store's first open on this machine) is created.
 */
function checkAgainstAnchor(session: StoreSession): void {
  // The anchor first: the commitment read after it is at least as new.
  const anchor = readAnchor(session.anchorFile, session.storeId);
  const commitment = StoreCommitment.parse(session.meta(META.commitment), session.commitKey, session.storeId);
  if (!commitment) {
    session.tamper = session.integrityError("the store's commitment does not authenticate: its meta table was edited");
    return;
  }
  if (!anchor) {
    advanceAnchor(session.anchorFile, { store: session.storeId, ...commitment.loaded });
    return;
  }
  if (!anchorAccepts(anchor, commitment.loaded)) {
    session.tamper = session.rolledBack(anchor.counter, commitment.loaded.counter);
  }
}

/**
 * Open (creating if needed) and unlock the store described by `o`. The directory is created 0700
 * and the store file 0600 before SQLite touches them; the WAL companions are tightened to 0600.
 * @throws CofferError INTEGRITY when the master key does not match; CONFIG when no key is available
 */
export function openStore(o: ResolvedLocalOptions): StoreSession {
  let db: Database.Database | undefined;
  try {
    ensurePrivateDir(dirname(o.path));
    createPrivateFile(o.path);
    db = new Database(o.path, { timeout: BUSY_TIMEOUT_MS });
    const database = db;
    const existing = retryBusy(() => readAllMeta(database));
    const keys = existing ? unlockExisting(o, existing) : undefined;
    retryBusy(() => {
      if (database.pragma("journal_mode", { simple: true }) !== "wal") database.pragma("journal_mode = WAL");
    });
    db.pragma("synchronous = FULL");
    tightenFileModes([`${o.path}-wal`, `${o.path}-shm`]);
    const unlocked = keys ?? retryBusy(() => initialise(database, o));
    // An existing store's id was read with its meta; a new one's is read back (a racing
    // process may have created it).
    const storeId =
      existing?.get(META.storeId) ??
      (db.prepare("SELECT value FROM meta WHERE key = ?").get(META.storeId) as { value: string }).value;
    const session = new StoreSession(db, o.path, storeId, unlocked, anchorPath(o.keyFile, storeId));
    if (unlocked.wrapVersion === 1) retryBusy(() => upgradeToFormat2(session));
    checkAgainstAnchor(session);
    return session;
  } catch (err) {
    if (db?.open) db.close();
    throw toStoreError(err, o.path);
  }
}
