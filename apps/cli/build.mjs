// Bundles the CLI with esbuild. Workspace packages are bundled from their sources; the cloud
// SDKs stay external (real dependencies, loaded lazily when such a provider is configured and
// used), and so does the native part of `better-sqlite3` (its JavaScript is bundled, see below).
//
// Output: dist/coffer.js, the bin (CommonJS, see dist/package.json): a few lines that load
// dist/coffer-main.cjs, the bundle of everything else, with a V8 code cache (see src/coffer.ts).
import { createHash } from "node:crypto";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { nodeVersionCheck } from "../../scripts/bundle-app.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

/** `@coffer/<name>` -> packages/<name>/src/index.ts */
const workspaceSources = {
  name: "workspace-sources",
  setup(b) {
    b.onResolve({ filter: /^@coffer\/[a-z-]+$/ }, (args) => ({
      path: join(root, "packages", args.path.slice("@coffer/".length), "src", "index.ts"),
    }));
    // Subpath entries: `@coffer/<name>/<entry>` -> packages/<name>/src/<entry>.ts
    b.onResolve({ filter: /^@coffer\/[a-z-]+\/[a-z-]+$/ }, (args) => {
      const [name, entry] = args.path.slice("@coffer/".length).split("/");
      return { path: join(root, "packages", name, "src", `${entry}.ts`) };
    });
  },
};

/**
 * `yaml`, loaded on first use: most commands never read a YAML file (no coffer.yaml, no YAML
 * import or export), so the library is not evaluated at start-up. Core imports `yaml` through a
 * small facade whose functions require the real module when first called; the real module is
 * the ES module build (hoisted modules inside one lazy wrapper instead of ~70 CommonJS
 * wrappers). Only the names core uses are forwarded (a missing one fails the build).
 */
const yamlOnFirstUse = {
  name: "yaml-on-first-use",
  setup(b) {
    const coreRequire = createRequire(join(root, "packages", "core", "package.json"));
    const yamlEntry = join(dirname(coreRequire.resolve("yaml/package.json")), "browser", "index.js");
    b.onResolve({ filter: /^yaml$/ }, (args) =>
      args.pluginData === "yaml-real" ? { path: yamlEntry } : { path: "yaml", namespace: "yaml-facade" },
    );
    b.onLoad({ filter: /^yaml$/, namespace: "yaml-facade" }, () => ({
      resolveDir: here,
      pluginData: "yaml-real",
      contents: `
        let real;
        const yaml = () => (real ??= require("yaml"));
        export const parse = (...a) => yaml().parse(...a);
        export const parseDocument = (...a) => yaml().parseDocument(...a);
        export const stringify = (...a) => yaml().stringify(...a);
        export function LineCounter() { return new (yaml().LineCounter)(); }
      `,
    }));
  },
};

/**
 * `node:net`, loaded on first use: core needs only its `isIP` (webhook address checks), and
 * loading the module at start-up costs about a millisecond on every command (output goes through
 * a plain file write, see src/cli/stdout.ts, so nothing else needs it). A missing name fails
 * the build.
 */
const netOnFirstUse = {
  name: "net-on-first-use",
  setup(b) {
    b.onResolve({ filter: /^node:net$/ }, (args) =>
      args.namespace === "net-facade" ? { path: "node:net", external: true } : { path: "net", namespace: "net-facade" },
    );
    b.onLoad({ filter: /^net$/, namespace: "net-facade" }, () => ({
      contents: 'export const isIP = (input) => require("node:net").isIP(input);',
    }));
  },
};

/**
 * `better-sqlite3` with its JavaScript bundled: loading the package's dozen small modules one by
 * one costs about 2 ms on every command that opens the store. The package stays a real
 * dependency: at run time the bundle finds the installed copy and loads its native addon through
 * the package's own locator (lib/binding.js: node-gyp build or prebuilt binary). When the
 * installed version is not the one bundled, the installed package is used as a whole instead.
 */
const sqliteBundled = {
  name: "better-sqlite3-bundled",
  setup(b) {
    const localRequire = createRequire(join(root, "packages", "provider-local", "package.json"));
    const packageFile = localRequire.resolve("better-sqlite3/package.json");
    const lib = join(dirname(packageFile), "lib");
    const { version } = JSON.parse(readFileSync(packageFile, "utf8"));
    b.onResolve({ filter: /^better-sqlite3\/package\.json$/ }, () => ({
      path: "better-sqlite3/package.json",
      external: true,
    }));
    b.onResolve({ filter: /^better-sqlite3$/ }, (args) =>
      args.namespace === "better-sqlite3-bundled"
        ? { path: "better-sqlite3", external: true }
        : { path: "better-sqlite3", namespace: "better-sqlite3-bundled" },
    );
    b.onLoad({ filter: /^better-sqlite3$/, namespace: "better-sqlite3-bundled" }, () => ({
      resolveDir: lib,
      contents: `
        const { dirname, join } = require("node:path");
        const packageFile = require.resolve("better-sqlite3/package.json");
        if (require(packageFile).version !== ${JSON.stringify(version)}) {
          module.exports = require("better-sqlite3");
        } else {
          const { getBinding } = require(join(dirname(packageFile), "lib", "binding.js"));
          module.exports = require("./database.js")(getBinding, true);
          module.exports.SqliteError = require("./sqlite-error.js");
        }
      `,
    }));
  },
};

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  logLevel: "warning",
  legalComments: "none",
  // Whitespace and syntax only: a smaller file loads faster; identifiers stay readable for --debug traces.
  minifyWhitespace: true,
  minifySyntax: true,
  external: ["@aws-sdk/*", "@azure/*", "@smithy/*", "pg"],
};

rmSync(join(here, "dist"), { recursive: true, force: true });

const main = await build({
  ...common,
  // CommonJS, so each lazily imported module's require() of Node built-ins and of
  // better-sqlite3 runs only when that module is first used (ESM would hoist them all).
  format: "cjs",
  // import() of external modules (SDKs, built-ins) becomes a lazy require(): the bin runs the
  // bundle as a vm.Script, which has no loader for import().
  supported: { "dynamic-import": false },
  metafile: process.env.COFFER_BUILD_META === "1",
  entryPoints: [join(here, "src", "main.ts")],
  outfile: join(here, "dist", "coffer-main.cjs"),
  plugins: [workspaceSources, yamlOnFirstUse, netOnFirstUse, sqliteBundled],
  define: { __COFFER_VERSION__: JSON.stringify(pkg.version) },
});

await build({
  ...common,
  // CommonJS: Node starts a CommonJS entry about a millisecond sooner than an ES module one.
  format: "cjs",
  entryPoints: [join(here, "src", "coffer.ts")],
  outfile: join(here, "dist", "coffer.js"),
  define: {
    __COFFER_BIN_FILE__: "__filename",
    // The bin's code cache is only ever used for the bundle it was made from.
    __COFFER_BUNDLE_HASH__: JSON.stringify(
      createHash("sha256")
        .update(readFileSync(join(here, "dist", "coffer-main.cjs")))
        .digest("hex")
        .slice(0, 16),
    ),
  },
  // The bin only refers to main.js for its type; the bundle is loaded with require() at run time.
  // The Node version check runs before anything else (the bundle loads native code).
  banner: { js: `#!/usr/bin/env node\n${nodeVersionCheck()}` },
});
chmodSync(join(here, "dist", "coffer.js"), 0o755);
// The package is "type": "module"; this makes dist/*.js CommonJS (the bin above).
writeFileSync(join(here, "dist", "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);

// COFFER_BUILD_META=1 node build.mjs: print the bundle's largest inputs (start-up budget).
if (main.metafile) {
  const sizes = {};
  for (const [file, info] of Object.entries(Object.values(main.metafile.outputs)[0].inputs)) {
    const key = file.includes("node_modules/")
      ? file.split("node_modules/").pop().split("/").slice(0, 2).join("/")
      : file.split("/").slice(0, 5).join("/");
    sizes[key] = (sizes[key] ?? 0) + info.bytesInOutput;
  }
  for (const [key, bytes] of Object.entries(sizes)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15))
    console.log(String(bytes).padStart(8), key);
}
