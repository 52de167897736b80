import { createHash } from "node:crypto";
import { closeSync, constants, fchmodSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { ensurePrivateDir } from "../files/private-files.js";
import type { SealedCommitment } from "./store-commitment.js";

const onWindows = process.platform === "win32";

/**
 * The anchor file: the counter and HMAC of a commitment the store has durably committed, kept
 * beside the key file (outside the store file), so a store file replaced by an older copy of
 * itself is recognised. It is written after the commit it describes, so it never runs ahead of
 * the store: a process killed in between leaves an anchor that is merely behind (a lower bound).
 */
export interface AnchorRecord {
  /** Store this anchor belongs to. */
  store: string;
  /** Counter of a committed commitment. */
  counter: number;
  /** HMAC of that commitment. */
  mac: string;
}

/** Path of a store's anchor file: `<key file directory>/store-<store id>.anchor`. */
export function anchorPath(keyFile: string, storeId: string): string {
  return join(dirname(keyFile), `store-${storeId.replace(/[^A-Za-z0-9-]/g, "_")}.anchor`);
}

/** Fixed-length record, so an update overwrites the whole previous one in place. */
const RECORD = /^coffer-anchor v1 (\S+) (\d{16}) ([0-9a-f]{64}) ([0-9a-f]{16})\n$/;

function checksum(body: string): string {
  return createHash("sha256").update(body, "utf8").digest("hex").slice(0, 16);
}

function encode(record: AnchorRecord): string {
  const body = `coffer-anchor v1 ${record.store} ${String(record.counter).padStart(16, "0")} ${record.mac}`;
  return `${body} ${checksum(body)}\n`;
}

function decode(text: string, storeId: string): AnchorRecord | undefined {
  const m = RECORD.exec(text);
  if (!m || m[1] !== storeId) return undefined;
  const body = text.slice(0, text.length - 18);
  if (checksum(body) !== m[4]) return undefined;
  return { store: storeId, counter: Number(m[2]), mac: m[3]! };
}

/**
 * Read an anchor file. Undefined when it is absent, or does not hold an anchor for this store (a
 * record torn by a power loss is treated as absent: the anchor is then rebuilt from the store).
 * A record caught half-overwritten by a concurrent writer fails its checksum and is read again.
 */
export function readAnchor(path: string, storeId: string): AnchorRecord | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
    const record = decode(text, storeId);
    if (record) return record;
  }
  return undefined;
}

/**
 * Advance the anchor file (0600) to a commitment just committed, unless it already names a newer
 * one (`known`: as read under the write lock, else read now). The record has a fixed length and
 * is overwritten in place with one write (no rename: ext4 flushes a file replaced by rename,
 * which cost milliseconds per commit); a reader that catches it half-written sees a checksum
 * mismatch and reads again. Two writers racing can leave the older of their two commitments:
 * the anchor stays a valid lower bound.
 */
export function advanceAnchor(path: string, record: AnchorRecord, known?: AnchorRecord): void {
  const current = known ?? readAnchor(path, record.store);
  if (current && current.counter >= record.counter) return;
  ensurePrivateDir(dirname(path));
  const fd = openSync(path, constants.O_CREAT | constants.O_WRONLY, 0o600);
  try {
    if (!onWindows) fchmodSync(fd, 0o600);
    const bytes = Buffer.from(encode(record), "utf8");
    writeSync(fd, bytes, 0, bytes.length, 0);
    // A record of another length (another store id) would leave a tail behind.
    ftruncateSync(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the store's commitment is at least as new as the anchor says. The anchor is a lower
 * bound: a store ahead of it is accepted (commits of read audit entries, which are not flushed to
 * disk, do not advance it, and a writer may have been stopped before advancing it); a store at
 * the anchor's counter must hold exactly the anchored commitment.
 * Read the anchor before the store's commitment: the store is then at least as new.
 */
export function anchorAccepts(anchor: AnchorRecord, store: SealedCommitment): boolean {
  return store.counter > anchor.counter || (store.counter === anchor.counter && store.mac === anchor.mac);
}
