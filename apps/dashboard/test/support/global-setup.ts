// Builds what the end-to-end tests run, privately (so a concurrent `turbo build` of
// apps/server/dist is never raced): the dashboard with the package's own Vite config, then
// coffer-server with apps/server/build.mjs and that dashboard copied into it, in a temp
// directory removed afterwards. Without Chromium (and outside CI) it builds nothing and the
// suite skips.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { CHROMIUM_PATH, chromiumAvailable, runningInCi } from "./chromium.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The built coffer-server bin to start, or "" when the suite skips. */
    serverBin: string;
  }
}

const packageDir = fileURLToPath(new URL("../../", import.meta.url));
const serverDir = fileURLToPath(new URL("../../../server/", import.meta.url));

export default function setup(project: TestProject): (() => void) | undefined {
  if (!chromiumAvailable()) {
    if (runningInCi()) {
      throw new Error(`CI=true but ${CHROMIUM_PATH} is missing: run .ci/install-chromium.sh before the tests`);
    }
    const line = "=".repeat(78);
    process.stderr.write(
      `\n${line}\n  SKIPPING the dashboard's browser tests: ${CHROMIUM_PATH} is not installed.\n` +
        `  Install it with: bash .ci/install-chromium.sh   (under CI=true they must run)\n${line}\n\n`,
    );
    project.provide("serverBin", "");
    return undefined;
  }
  const buildDir = mkdtempSync(join(tmpdir(), "coffer-dashboard-e2e-"));
  try {
    const vite = `${packageDir}node_modules/vite/bin/vite.js`;
    execFileSync(
      process.execPath,
      [vite, "build", "--outDir", `${buildDir}/ui`, "--emptyOutDir", "--logLevel", "warn"],
      { cwd: packageDir, stdio: "inherit" },
    );
    execFileSync(
      process.execPath,
      [`${serverDir}build.mjs`, "--outdir", `${buildDir}/server`, "--dashboard", `${buildDir}/ui`],
      { cwd: serverDir, stdio: "inherit" },
    );
    // The bin keeps better-sqlite3 and the cloud SDKs external: resolve them from apps/server.
    symlinkSync(`${serverDir}node_modules`, `${buildDir}/server/node_modules`, "dir");
  } catch (err) {
    rmSync(buildDir, { recursive: true, force: true });
    throw err;
  }
  project.provide("serverBin", `${buildDir}/server/coffer-server.js`);
  return () => rmSync(buildDir, { recursive: true, force: true });
}
