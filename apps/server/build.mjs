// Bundles the coffer-server bin into one ESM file (dist/coffer-server.js) and copies the static
// assets of the /docs reference page next to it (dist/static), so the page needs no CDN.
// Workspace packages, Fastify and its plugins are bundled; better-sqlite3 (native) and the cloud
// SDKs stay external: they are real dependencies, loaded lazily only when configured.
import { chmodSync, cpSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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

rmSync(new URL("./dist", import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { "coffer-server": "src/coffer-server.ts" },
  outdir: "dist",
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
cpSync(join(swaggerUiDir, "static"), new URL("./dist/static", import.meta.url), { recursive: true });
chmodSync(new URL("./dist/coffer-server.js", import.meta.url), 0o755);
