// Bundles the coffer-mcp bin into one ESM file (dist/coffer-mcp.js).
// Workspace packages, the MCP SDK and zod are bundled; better-sqlite3 (native) and the cloud
// SDKs stay external: they are real dependencies, loaded lazily only when configured.
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const workspace = (dir) => fileURLToPath(new URL(`../../packages/${dir}/src/index.ts`, import.meta.url));

const WORKSPACE_DIRS = ["core", "runtime", "provider-local", "provider-env", "provider-aws", "provider-azure"];
const alias = Object.fromEntries(WORKSPACE_DIRS.map((dir) => [`@coffer/${dir}`, workspace(dir)]));

rmSync(new URL("./dist", import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { "coffer-mcp": "src/coffer-mcp.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  sourcemap: false,
  legalComments: "none",
  // Workspace packages are bundled from their sources (one copy of @coffer/core, never a stale dist).
  alias,
  external: ["better-sqlite3", "@aws-sdk/*", "@azure/*"],
  define: { __COFFER_MCP_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: [
      "#!/usr/bin/env node",
      'import * as __cofferModule from "node:module";',
      // First thing in the bin: cache compiled code of the external modules loaded later.
      "__cofferModule.enableCompileCache?.();",
      "const require = __cofferModule.createRequire(import.meta.url);",
    ].join("\n"),
  },
  logLevel: "warning",
});

chmodSync(new URL("./dist/coffer-mcp.js", import.meta.url), 0o755);
