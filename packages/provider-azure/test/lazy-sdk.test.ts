import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { freePort } from "@coffer/test-emulators";
import { describe, expect, it } from "vitest";

const entry = pathToFileURL(fileURLToPath(new URL("../src/index.ts", import.meta.url))).href;
const coreEntry = pathToFileURL(fileURLToPath(new URL("../../core/src/index.ts", import.meta.url))).href;
const esbuild = pathToFileURL(createRequire(import.meta.url).resolve("esbuild")).href;

/**
 * Module hooks for a child Node process: log every `@azure/*` module it resolves, and run this
 * package and `@coffer/core` from their TypeScript sources (esbuild), so no build is needed.
 */
const HOOKS = `
import { appendFileSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
const { transformSync } = await import(${JSON.stringify(esbuild)});
export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  const { code } = transformSync(readFileSync(fileURLToPath(url), "utf8"), { loader: "ts", format: "esm" });
  return { format: "module", source: code, shortCircuit: true };
}
export async function resolve(specifier, context, next) {
  if (specifier.startsWith("@azure/")) appendFileSync(process.env.AZURE_LOG, specifier + "\\n");
  if (specifier === "@coffer/core") return next(${JSON.stringify(coreEntry)}, context);
  try {
    return await next(specifier, context);
  } catch (err) {
    if (specifier.startsWith(".") && specifier.endsWith(".js")) return next(specifier.slice(0, -3) + ".ts", context);
    throw err;
  }
}`;

function runChild(body: string, log: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(${JSON.stringify(HOOKS)}));
const { azureKeyVault } = await import(${JSON.stringify(entry)});
${body}`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, AZURE_LOG: log },
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const loaded = (log: string) => {
  try {
    return readFileSync(log, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

describe("lazy loading of the Azure SDK", () => {
  it("loads @azure/keyvault-secrets and @azure/identity on the first call, not on import or construction", async () => {
    const dir = mkdtempSync(join(tmpdir(), "coffer-azure-lazy-"));
    try {
      const constructOnly = join(dir, "construct.log");
      const first = runChild(
        `azureKeyVault({ vaultUrl: "https://example.vault.azure.net" }); console.log("constructed");`,
        constructOnly,
      );
      expect(first.stdout).toContain("constructed");
      expect(loaded(constructOnly)).toEqual([]);

      const firstCall = join(dir, "call.log");
      // Nothing listens there: the call fails with UNAVAILABLE before any token is requested.
      const port = await freePort();
      const second = runChild(
        `const p = azureKeyVault({ vaultUrl: "https://127.0.0.1:${port}", maxRetries: 0 });
         const err = await p.get({ name: "X", scope: { kind: "global" } }).catch((e) => e);
         console.log(JSON.stringify({ code: err.code }));`,
        firstCall,
      );
      expect(second.stdout).toContain('{"code":"UNAVAILABLE"}');
      expect(loaded(firstCall)).toContain("@azure/keyvault-secrets");
      expect(loaded(firstCall)).toContain("@azure/identity");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
