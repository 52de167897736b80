import { join } from "node:path";
import Database from "better-sqlite3";
import type { Workspace } from "../src/index.js";

/** Path of a workspace's store file. */
export function storePath(ws: Workspace): string {
  return join(ws.home, "store.db");
}

/**
 * Edit the store file directly, as an attacker (or a disk) would, with no Coffer code involved.
 * Run only while no Coffer handle has the store open.
 */
export function editStore(ws: Workspace, edit: (db: Database.Database) => void): void {
  const db = new Database(storePath(ws));
  try {
    edit(db);
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}
