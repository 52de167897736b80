// Bundles the coffer-server bin into one ESM file (dist/coffer-server.js) and copies the static
// assets of the /docs reference page next to it (dist/static), so the page needs no CDN, and the
// built web dashboard (apps/dashboard/dist, built first when missing) to dist/ui, served at /ui.
// Options (for the dashboard's end-to-end tests, which build a private copy):
//   --outdir <dir>      write there instead of dist/
//   --dashboard <dir>   copy this dashboard build instead of apps/dashboard/dist
// Workspace packages, Fastify and its plugins are bundled; better-sqlite3 (native) and the cloud
// SDKs stay external: they are real dependencies, loaded lazily only when configured.
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const require = createRequire(import.meta.url);
// Workspace packages are bundled from their sources (like the tests), so the bin never embeds
// a stale build of another package.
const workspace = (dir) => fileURLToPath(new URL(`../../packages/${dir}/src/index.ts`, import.meta.url));
const alias = Object.fromEntries(
  ["core", "runtime", "provider-local", "provider-env", "provider-aws", "provider-azure"].map((dir) => [
    `@coffer/${dir}`,
    workspace(dir),
  ]),
);

const here = fileURLToPath(new URL(".", import.meta.url));
const { values: options } = parseArgs({ options: { outdir: { type: "string" }, dashboard: { type: "string" } } });
const outdir = resolve(here, options.outdir ?? "dist");
const dashboardDir = resolve(here, options.dashboard ?? "../dashboard/dist");

if (!existsSync(join(dashboardDir, "index.html"))) {
  if (options.dashboard !== undefined) throw new Error(`no dashboard build in ${dashboardDir}`);
  // Turbo builds @coffer/dashboard first (a devDependency); a lone `pnpm run build` here does it now.
  execFileSync("pnpm", ["run", "build"], { cwd: resolve(here, "../dashboard"), stdio: "inherit" });
}

rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: { "coffer-server": join(here, "src/coffer-server.ts") },
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  sourcemap: false,
  legalComments: "none",
  alias,
  external: ["better-sqlite3", "@aws-sdk/*", "@azure/*"],
  define: { __COFFER_SERVER_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: [
      "#!/usr/bin/env node",
      'import * as __cofferModule from "node:module";',
      'import * as __cofferPath from "node:path";',
      'import * as __cofferUrl from "node:url";',
      // First thing in the bin: cache compiled code of the external modules loaded later.
      "__cofferModule.enableCompileCache?.();",
      "const require = __cofferModule.createRequire(import.meta.url);",
      // Bundled CommonJS packages (swagger-ui) locate their files from __dirname: dist/.
      "const __filename = __cofferUrl.fileURLToPath(import.meta.url);",
      "const __dirname = __cofferPath.dirname(__filename);",
    ].join("\n"),
  },
  logLevel: "warning",
});

const swaggerUiDir = dirname(require.resolve("@fastify/swagger-ui/package.json"));
cpSync(join(swaggerUiDir, "static"), join(outdir, "static"), { recursive: true });
cpSync(dashboardDir, join(outdir, "ui"), { recursive: true });
chmodSync(join(outdir, "coffer-server.js"), 0o755);
