import { readFileSync } from "node:fs";
import { join } from "node:path";
import { matchesGlob } from "../names/name-glob.js";
import { validateEnvName } from "../names/secret-name.js";
import type { DetectedEnvironment } from "../service/types.js";

/** Inputs of environment detection. */
export interface EnvironmentSources {
  /** Explicit argument (`--env`). */
  explicit?: string;
  /** Process environment (COFFER_ENV). */
  processEnv: NodeJS.ProcessEnv;
  /** Project config `env`. */
  configEnv?: string;
  /** Project config `branchMap`. */
  branchMap: Record<string, string>;
  /** Project root, to read the git branch. */
  projectRoot: string;
}

/** Current git branch of a work tree, read from `.git/HEAD` (no git process). */
export function currentGitBranch(root: string): string | undefined {
  try {
    let gitDir = join(root, ".git");
    let head: string;
    try {
      head = readFileSync(join(gitDir, "HEAD"), "utf8");
    } catch {
      const pointer = readFileSync(gitDir, "utf8").match(/^gitdir:\s*(.+)\s*$/m);
      if (!pointer?.[1]) return undefined;
      gitDir = pointer[1].startsWith("/") ? pointer[1] : join(root, pointer[1]);
      head = readFileSync(join(gitDir, "HEAD"), "utf8");
    }
    const m = head.match(/^ref:\s*refs\/heads\/(.+)\s*$/m);
    return m?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/**
 * Decide the env in force: explicit argument, then `COFFER_ENV`, then the project config's
 * `env`, then the git-branch map, then the default state.
 */
export function detectEnvironment(sources: EnvironmentSources): DetectedEnvironment {
  if (sources.explicit) {
    return { env: validateEnvName(sources.explicit), source: "argument", reason: `--env ${sources.explicit}` };
  }
  const fromEnv = sources.processEnv.COFFER_ENV;
  if (fromEnv) return { env: validateEnvName(fromEnv), source: "COFFER_ENV", reason: `COFFER_ENV=${fromEnv}` };
  if (sources.configEnv) {
    return {
      env: validateEnvName(sources.configEnv),
      source: "config",
      reason: `env: ${sources.configEnv} in coffer.yaml`,
    };
  }
  const entries = Object.entries(sources.branchMap);
  if (entries.length > 0) {
    const branch = currentGitBranch(sources.projectRoot);
    if (branch) {
      const exact = sources.branchMap[branch];
      const hit = exact !== undefined ? [branch, exact] : entries.find(([pattern]) => matchesGlob(branch, pattern));
      if (hit) {
        return {
          env: validateEnvName(hit[1]),
          source: "branch",
          branch,
          reason: `git branch ${branch} matches branchMap "${hit[0]}"`,
        };
      }
      return {
        source: "default",
        branch,
        reason: `git branch ${branch} has no branchMap entry; using the default state`,
      };
    }
  }
  return { source: "default", reason: "no --env, COFFER_ENV, config env or branch mapping; using the default state" };
}
