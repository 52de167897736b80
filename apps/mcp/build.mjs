// Bundles the coffer-mcp bin into one ESM file (dist/coffer-mcp.js) with the shared app bundling
// of scripts/bundle-app.mjs: workspace packages, the MCP SDK and zod are bundled; better-sqlite3
// (native) and the cloud SDKs stay external.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bundleApp } from "../../scripts/bundle-app.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const pkg = JSON.parse(readFileSync(here("./package.json"), "utf8"));

await bundleApp({
  bin: "coffer-mcp",
  entry: here("./src/coffer-mcp.ts"),
  outdir: here("./dist"),
  define: { __COFFER_MCP_VERSION__: JSON.stringify(pkg.version) },
});
