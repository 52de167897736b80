// Bundles the coffer-server bin into one ESM file (dist/coffer-server.js) and copies the static
// assets of the /docs reference page next to it (dist/static), so the page needs no CDN, and the
// built web dashboard (apps/dashboard/dist, built first when missing) to dist/ui, served at /ui.
// Options (for the dashboard's end-to-end tests, which build a private copy):
//   --outdir <dir>      write there instead of dist/
//   --dashboard <dir>   copy this dashboard build instead of apps/dashboard/dist
// The bundling is the shared app bundling of scripts/bundle-app.mjs: workspace packages, Fastify
// and its plugins are bundled; better-sqlite3 (native) and the cloud SDKs stay external.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bundleApp } from "../../scripts/bundle-app.mjs";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const require = createRequire(import.meta.url);

const here = fileURLToPath(new URL(".", import.meta.url));
const { values: options } = parseArgs({ options: { outdir: { type: "string" }, dashboard: { type: "string" } } });
const outdir = resolve(here, options.outdir ?? "dist");
const dashboardDir = resolve(here, options.dashboard ?? "../dashboard/dist");

if (!existsSync(join(dashboardDir, "index.html"))) {
  if (options.dashboard !== undefined) throw new Error(`no dashboard build in ${dashboardDir}`);
  // Turbo builds @coffer/dashboard first (a devDependency); a lone `pnpm run build` here does it now.
  execFileSync("pnpm", ["run", "build"], { cwd: resolve(here, "../dashboard"), stdio: "inherit" });
}

await bundleApp({
  bin: "coffer-server",
  entry: join(here, "src/coffer-server.ts"),
  outdir,
  define: { __COFFER_SERVER_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS packages (swagger-ui) locate their files from __dirname: dist/.
  dirname: true,
});

const swaggerUiDir = dirname(require.resolve("@fastify/swagger-ui/package.json"));
cpSync(join(swaggerUiDir, "static"), join(outdir, "static"), { recursive: true });
cpSync(dashboardDir, join(outdir, "ui"), { recursive: true });
