// Private temp directories for benchmark stores, removed on exit.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const created = [];
process.once("exit", () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A new 0700 directory on the machine's temp disk. */
export function diskTemp(label) {
  const dir = mkdtempSync(join(tmpdir(), `coffer-bench-${label}-`));
  created.push(dir);
  return dir;
}

/**
 * A new directory in memory (/dev/shm) when the machine has one, for building large stores
 * quickly; measurements that depend on durable commits never use it.
 */
export function memoryTemp(label) {
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = mkdtempSync(join(base, `coffer-bench-${label}-`));
  created.push(dir);
  return dir;
}

/** A COFFER_HOME and a project directory under `root`. */
export function cofferDirs(root) {
  const home = join(root, "home");
  const project = join(root, "project");
  mkdirSync(home, { recursive: true, mode: 0o700 });
  mkdirSync(project, { recursive: true, mode: 0o700 });
  return { home, project };
}
