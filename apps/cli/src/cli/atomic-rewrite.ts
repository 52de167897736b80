import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CofferError } from "@coffer/core";

/**
 * Replace a file's bytes atomically: the new bytes go to a temp file in the same directory,
 * created with the file's own mode, flushed to disk and renamed over the file; the directory is
 * then flushed. A crash or kill at any moment leaves the old file or the new one, never a mix.
 * `expected` is what the file held when it was read: if it changed since, nothing is written.
 * @throws CofferError CONFLICT when the file changed behind our back; PERMISSION_DENIED when it
 *   cannot be written
 */
export function rewriteFileAtomically(path: string, expected: Buffer, bytes: Buffer): void {
  const mode = statSync(path).mode & 0o7777;
  if (!readFileSync(path).equals(expected)) {
    throw new CofferError("CONFLICT", `${path} changed while it was being migrated; it was not rewritten`, {
      field: "file",
      hint: "run the command again (values already stored are left as they are)",
    });
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", mode);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    throw new CofferError("PERMISSION_DENIED", `cannot write ${path}${code ? ` (${code})` : ""}`, { field: "file" });
  }
  try {
    const dir = openSync(dirname(path), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  }
}
