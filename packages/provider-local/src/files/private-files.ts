import { chmodSync, closeSync, constants, existsSync, fchmodSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

const onWindows = process.platform === "win32";

/** Create `dir` (and missing parents) with mode 0700. Existing directories are left as they are. */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (first !== undefined && !onWindows) {
    // mkdir's mode is filtered by the umask; make the directories we created exactly 0700.
    let d = dir;
    while (d.length >= first.length) {
      chmodSync(d, 0o700);
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
  }
}

/** Create an empty file with mode 0600 unless it exists. Returns true when it was created. */
export function createPrivateFile(path: string): boolean {
  ensurePrivateDir(dirname(path));
  let fd: number;
  try {
    fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    if (!onWindows) fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Set mode 0600 on each existing file (SQLite's -wal and -shm companions). */
export function tightenFileModes(paths: readonly string[]): void {
  if (onWindows) return;
  for (const p of paths) {
    try {
      chmodSync(p, 0o600);
    } catch {
      // Absent (not created yet) or not ours: nothing to tighten.
    }
  }
}
