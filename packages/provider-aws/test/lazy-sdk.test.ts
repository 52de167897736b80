import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const entry = pathToFileURL(fileURLToPath(new URL("../src/index.ts", import.meta.url))).href;
const coreEntry = pathToFileURL(fileURLToPath(new URL("../../core/src/index.ts", import.meta.url))).href;
const esbuild = pathToFileURL(createRequire(import.meta.url).resolve("esbuild")).href;

/**
 * Module hooks: record every `@aws-sdk/*` resolution; run `@coffer/core` and this package from
 * their TypeScript sources (esbuild transform, `./x.js` mapped to `./x.ts`), so no build is needed.
 */
const HOOK = `
import { appendFileSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
const { transformSync } = await import(${JSON.stringify(esbuild)});
export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  const { code } = transformSync(readFileSync(fileURLToPath(url), "utf8"), { loader: "ts", format: "esm" });
  return { format: "module", source: code, shortCircuit: true };
}
export async function resolve(specifier, context, next) {
  if (specifier.startsWith("@aws-sdk/")) appendFileSync(process.env.SDK_LOG, specifier + "\\n");
  if (specifier === "@coffer/core") return next(${JSON.stringify(coreEntry)}, context);
  try {
    return await next(specifier, context);
  } catch (err) {
    if (specifier.startsWith(".") && specifier.endsWith(".js")) return next(specifier.slice(0, -3) + ".ts", context);
    throw err;
  }
}`;

const SCRIPT = `
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(${JSON.stringify(HOOK)}));
const { awsSecretsManager } = await import(${JSON.stringify(entry)});
const provider = awsSecretsManager({ region: "us-east-1", endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxRetries: 0, timeoutMs: 2000 });
const error = await provider.get({ name: "A", scope: { kind: "global" } }).catch((e) => e);
console.log(JSON.stringify({ code: error.code }));
await provider.dispose();
`;

describe("lazy SDK loading", () => {
  it("imports @aws-sdk/client-secrets-manager on the first call, not when the module loads", () => {
    const dir = mkdtempSync(join(tmpdir(), "coffer-aws-lazy-"));
    const log = join(dir, "sdk.log");
    try {
      // Phase 1: import and construct only.
      const importOnly = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { register } from "node:module";
           register("data:text/javascript," + encodeURIComponent(${JSON.stringify(HOOK)}));
           const { awsSecretsManager } = await import(${JSON.stringify(entry)});
           awsSecretsManager({ region: "us-east-1" });
           console.log("constructed");`,
        ],
        { env: { ...process.env, SDK_LOG: log }, encoding: "utf8", timeout: 60_000 },
      );
      expect(importOnly.stderr).toBe("");
      expect(importOnly.stdout.trim()).toBe("constructed");
      let logged = "";
      try {
        logged = readFileSync(log, "utf8");
      } catch {
        logged = "";
      }
      expect(logged).toBe("");

      // Phase 2: the first operation loads the SDK (and a closed port is UNAVAILABLE, not NOT_FOUND).
      const firstCall = spawnSync(process.execPath, ["--input-type=module", "-e", SCRIPT], {
        env: { ...process.env, SDK_LOG: log },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(firstCall.stdout.trim()).toBe(JSON.stringify({ code: "UNAVAILABLE" }));
      expect(readFileSync(log, "utf8")).toContain("@aws-sdk/client-secrets-manager");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
