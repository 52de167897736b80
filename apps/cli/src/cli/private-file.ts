import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CofferError } from "@coffer/core";

/**
 * Write a file readable only by its owner: the text goes to a new temp file created with mode
 * 0600 next to the target, which then replaces the target (so an existing, more open file never
 * holds the content).
 * @throws CofferError PERMISSION_DENIED when the directory is not writable
 */
export function writePrivateFile(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    chmodSync(temp, 0o600);
    renameSync(temp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    throw new CofferError("PERMISSION_DENIED", `cannot write ${path}${code ? ` (${code})` : ""}`, { field: "output" });
  }
}

/**
 * True when `path` is tracked by git (or staged): `git ls-files --error-unmatch`. False when
 * git is missing or the directory is not a repository.
 */
export function isTrackedByGit(path: string): boolean {
  if (!existsSync(dirname(path))) return false;
  const result = spawnSync("git", ["-C", dirname(path), "ls-files", "--error-unmatch", "--", basename(path)], {
    stdio: "ignore",
    timeout: 5000,
  });
  return result.status === 0;
}
