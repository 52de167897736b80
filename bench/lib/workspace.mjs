// Where the benchmarks find the built workspace: packages are imported from their dist/ (the
// `bench` script builds first), third-party modules through the package that depends on them.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Built bins of the three front ends (present once each app is built). */
export const BINS = {
  cli: join(ROOT, "apps/cli/dist/coffer.js"),
  mcp: join(ROOT, "apps/mcp/dist/coffer-mcp.js"),
  server: join(ROOT, "apps/server/dist/coffer-server.js"),
};

/** The dotenvx CLI entry (root devDependency). */
export const DOTENVX_BIN = join(ROOT, "node_modules/@dotenvx/dotenvx/src/cli/dotenvx.js");

/** Import a workspace package's built entry, e.g. `workspacePackage("core")`. */
export async function workspacePackage(dir) {
  const entry = join(ROOT, "packages", dir, "dist/index.js");
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first`);
  return import(pathToFileURL(entry).href);
}

/** `require` resolving from a workspace package's own dependencies (e.g. better-sqlite3 from provider-local). */
export function requireFrom(packageDir) {
  return createRequire(join(ROOT, packageDir, "package.json"));
}

/** Import an ES module (or CJS) resolved from a workspace package's dependencies. */
export async function importFrom(packageDir, specifier) {
  return import(pathToFileURL(requireFrom(packageDir).resolve(specifier)).href);
}
