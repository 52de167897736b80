import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { CofferError } from "@coffer/core";
import { ensurePrivateDir } from "../files/private-files.js";
import { decodeRawKey } from "./master-key.js";

const onWindows = process.platform === "win32";

/** Path of the key written during a master key rotation, promoted once the store is rewrapped. */
export function pendingKeyFilePath(keyFile: string): string {
  return `${keyFile}.new`;
}

/**
 * Read a key file: 32 raw bytes, or the key as hex or base64 text. Undefined when it does not exist.
 * @throws CofferError CONFIG when other users can read it or it does not hold a 32-byte key
 */
export function readKeyFile(path: string): Buffer | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CofferError("CONFIG", `cannot read the key file ${path}`, { field: "keyFile" }, { cause: err });
  }
  if (!onWindows && (mode & 0o077) !== 0) {
    throw new CofferError(
      "CONFIG",
      `the key file ${path} is accessible by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
      { field: "keyFile", hint: `chmod 600 ${path}` },
    );
  }
  const content = readFileSync(path);
  const key = content.length === 32 ? Buffer.from(content) : decodeRawKey(content.toString("utf8"));
  if (!key) {
    throw new CofferError("CONFIG", `the key file ${path} does not hold a 32-byte key (raw, hex or base64)`, {
      field: "keyFile",
    });
  }
  return key;
}

function writeNewFile(path: string, text: string): void {
  const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDir(dir: string): void {
  if (onWindows) return;
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse to fsync a directory; the file itself is synced.
  }
}

/**
 * Create a key file holding 32 fresh random bytes (written as base64 text, so it can be pasted
 * into COFFER_MASTER_KEY). Safe against two processes creating it at once: the loser reads the
 * winner's key.
 */
export function createKeyFile(path: string): Buffer {
  ensurePrivateDir(dirname(path));
  const key = randomBytes(32);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeNewFile(tmp, `${key.toString("base64")}\n`);
  let linkError: NodeJS.ErrnoException | undefined;
  try {
    linkSync(tmp, path);
  } catch (err) {
    linkError = err as NodeJS.ErrnoException;
  } finally {
    unlinkSync(tmp);
  }
  if (linkError?.code === "EEXIST") {
    const existing = readKeyFile(path);
    if (existing) return existing;
  }
  if (linkError) {
    // No hard links here (some network or FUSE file systems): fall back to exclusive create.
    writeNewFile(path, `${key.toString("base64")}\n`);
  }
  syncDir(dirname(path));
  return key;
}

/** Write the next key beside the key file (`<keyFile>.new`, 0600, synced) before a rotation commits. */
export function writePendingKeyFile(keyFile: string, key: Buffer): void {
  const pending = pendingKeyFilePath(keyFile);
  try {
    unlinkSync(pending);
  } catch {
    // None left over from an earlier, interrupted rotation.
  }
  writeNewFile(pending, `${key.toString("base64")}\n`);
}

/** Replace the key file with the pending one (atomic rename) once the store uses the new key. */
export function promotePendingKeyFile(keyFile: string): void {
  renameSync(pendingKeyFilePath(keyFile), keyFile);
  syncDir(dirname(keyFile));
}

/** Remove a pending key file after a rotation failed before committing. */
export function discardPendingKeyFile(keyFile: string): void {
  try {
    unlinkSync(pendingKeyFilePath(keyFile));
  } catch {
    // Already gone.
  }
}
