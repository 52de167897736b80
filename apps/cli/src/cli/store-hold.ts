import { statSync } from "node:fs";

/** The part of a better-sqlite3 connection used here. */
interface HeldConnection {
  pragma(source: string, options: { simple: true }): unknown;
}

/**
 * Largest WAL left for the next command. Each opener after such an exit re-reads the whole WAL
 * to rebuild its index (about 0.5 ms per MiB); past this size the close checkpoints it into the
 * store and removes it, which bounds that cost (a checkpoint about every 30 commands).
 */
const MAX_WAL_BYTES = 1024 * 1024;

/** Connections kept until the process exits (referenced so they are never collected and closed). */
const held: HeldConnection[] = [];

/**
 * Keep one extra connection to the local store open until the process exits, so that closing the
 * service's own connection skips SQLite's close-time WAL checkpoint (only the last connection to
 * a store checkpoints and removes the WAL). The CLI exits right after its command, without
 * closing this one: the WAL stays as it is, holding every commit, and the next command uses it
 * instead of re-creating it (the checkpoint and the re-creation cost four fsyncs per command).
 * Safe: the WAL holds every commit (as after any exit, the next opener reads it), and SQLite
 * creates it with the store file's mode (0600).
 *
 * The connection holds no key and reads nothing but the schema version. Only done when the
 * store is open in WAL mode (its -wal file exists) and the WAL is at most {@link MAX_WAL_BYTES};
 * failures are ignored (the store is then closed the usual way).
 */
export function holdStoreOpen(storePath: string): void {
  const wal = statSync(`${storePath}-wal`, { throwIfNoEntry: false });
  if (!wal || wal.size > MAX_WAL_BYTES) return;
  try {
    // The bin is a CommonJS bundle and better-sqlite3 is already loaded by the local store.
    const Database = require("better-sqlite3") as new (
      path: string,
      options: { fileMustExist: boolean; timeout: number },
    ) => HeldConnection;
    const connection = new Database(storePath, { fileMustExist: true, timeout: 10_000 });
    // A first read joins the WAL and takes the shared lock that tells a closing connection it is not the last.
    connection.pragma("schema_version", { simple: true });
    held.push(connection);
  } catch {
    // Closing will checkpoint as usual.
  }
}
