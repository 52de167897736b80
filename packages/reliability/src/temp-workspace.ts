import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** An isolated Coffer installation: a temp COFFER_HOME, a project directory and a HOME. */
export interface Workspace {
  /** Root of everything this workspace created. */
  readonly root: string;
  /** COFFER_HOME (store, key file, user config). */
  readonly home: string;
  /** Project directory, used as the cwd of every process. */
  readonly project: string;
  /** Environment for processes of this workspace: nothing of the real user's setup. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Remove every file of the workspace. */
  cleanup(): void;
}

/**
 * Create a workspace under the OS temp directory; directories are 0700 from creation.
 * @param label short tag in the directory name, for debugging
 * @param baseEnv variables every process of the workspace gets (e.g. a hook's signing secret)
 */
export function createWorkspace(label: string, baseEnv: Record<string, string> = {}): Workspace {
  const root = mkdtempSync(join(tmpdir(), `coffer-reliability-${label}-`));
  const home = join(root, "home");
  const project = join(root, "project");
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(project, { mode: 0o700 });
  return {
    root,
    home,
    project,
    env: (extra = {}) => ({
      PATH: process.env.PATH ?? "",
      HOME: root,
      COFFER_HOME: home,
      TZ: "UTC",
      NO_COLOR: "1",
      ...baseEnv,
      ...extra,
    }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
