import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** What a child process did, and which watched modules it resolved. */
export interface ModuleLoadProbeResult {
  /** Exit status. */
  status: number | null;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** Specifiers starting with the watched prefix that the child resolved, in order. */
  loaded: string[];
}

const coreEntry = pathToFileURL(fileURLToPath(new URL("../../core/src/index.ts", import.meta.url))).href;
const esbuild = pathToFileURL(createRequire(import.meta.url).resolve("esbuild")).href;

/**
 * Module hooks for the child: log every resolved specifier starting with `prefix`, and run
 * `@coffer/core` and the package under test from their TypeScript sources (esbuild transform,
 * `./x.js` mapped to `./x.ts`), so no build is needed.
 */
function hooks(prefix: string): string {
  return `
import { appendFileSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
const { transformSync } = await import(${JSON.stringify(esbuild)});
export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  const { code } = transformSync(readFileSync(fileURLToPath(url), "utf8"), { loader: "ts", format: "esm" });
  return { format: "module", source: code, shortCircuit: true };
}
export async function resolve(specifier, context, next) {
  if (specifier.startsWith(${JSON.stringify(prefix)})) appendFileSync(process.env.COFFER_MODULE_LOG, specifier + "\\n");
  if (specifier === "@coffer/core") return next(${JSON.stringify(coreEntry)}, context);
  try {
    return await next(specifier, context);
  } catch (err) {
    if (specifier.startsWith(".") && specifier.endsWith(".js")) return next(specifier.slice(0, -3) + ".ts", context);
    throw err;
  }
}`;
}

/**
 * Run `body` in a fresh Node process after `import * as pkg from <entry>` (the package's
 * TypeScript entry), recording which modules starting with `watch` get resolved. Used to prove
 * that a provider loads its cloud SDK on first use, not on import.
 */
export function probeModuleLoads(options: {
  entry: URL;
  watch: string;
  body: string;
  timeoutMs?: number;
}): ModuleLoadProbeResult {
  const dir = mkdtempSync(join(tmpdir(), "coffer-module-probe-"));
  const log = join(dir, "modules.log");
  try {
    const script = `
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks(options.watch))}));
const pkg = await import(${JSON.stringify(pathToFileURL(fileURLToPath(options.entry)).href)});
${options.body}`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      env: { ...process.env, COFFER_MODULE_LOG: log },
      timeout: options.timeoutMs ?? 60_000,
    });
    let loaded: string[] = [];
    try {
      loaded = readFileSync(log, "utf8").split("\n").filter(Boolean);
    } catch {
      loaded = [];
    }
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, loaded };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
