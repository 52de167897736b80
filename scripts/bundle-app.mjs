// How the MCP server and the REST server bundle their bin with esbuild (each app's build.mjs
// calls bundleApp): a tiny bin that checks the Node version and enables Node's compile cache
// before anything else loads, then one ESM bundle of everything else. Workspace packages, and the small dependencies, are bundled from
// their sources, so a bin never embeds a stale build of another package; better-sqlite3 (native)
// and the cloud SDKs stay external: they are real dependencies, loaded lazily only when
// configured.
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Workspace packages bundled from `packages/<dir>/src/index.ts`. */
export const WORKSPACE_PACKAGES = [
  "core",
  "runtime",
  "provider-local",
  "provider-env",
  "provider-aws",
  "provider-azure",
  "provider-postgres",
];

/** `@coffer/<dir>` -> the package's source entry. */
export const workspaceAliases = Object.fromEntries([
  // Subpath entries (an alias of `<package>` alone would also rewrite `<package>/<subpath>`).
  [
    "@coffer/provider-local/envelope",
    fileURLToPath(new URL("../packages/provider-local/src/envelope.ts", import.meta.url)),
  ],
  ...WORKSPACE_PACKAGES.map((dir) => [
    `@coffer/${dir}`,
    fileURLToPath(new URL(`../packages/${dir}/src/index.ts`, import.meta.url)),
  ]),
]);

/** Imports left to Node at run time: the native addon, the cloud SDKs and the PostgreSQL driver. */
export const EXTERNAL_PACKAGES = ["better-sqlite3", "@aws-sdk/*", "@azure/*", "pg"];

/** Oldest Node.js the bins run on (the `engines` field of every package says the same). */
export const MIN_NODE_VERSION = "22.12";

/**
 * A statement that ends the process with a clear message on a Node.js older than
 * {@link MIN_NODE_VERSION}. It is the first code of every bin, before any module (native code
 * included) is loaded: an older Node can crash inside better-sqlite3 without a word. Written in
 * syntax every Node.js parses.
 */
export function nodeVersionCheck() {
  const [major, minor] = MIN_NODE_VERSION.split(".").map(Number);
  return [
    "(function () {",
    '  var v = process.versions.node.split(".").map(Number);',
    `  if (v[0] < ${major} || (v[0] === ${major} && v[1] < ${minor})) {`,
    `    process.stderr.write("Coffer needs Node.js ${MIN_NODE_VERSION} or newer (this is " + process.version + ")\\n");`,
    "    process.exit(1);",
    "  }",
    "})();",
  ].join("\n");
}

/**
 * The first lines of a bin's bundle: `require` for bundled CommonJS code (and the compile cache,
 * already on when the bin loads the bundle). With
 * `dirname`, also `__filename` and `__dirname` (the bin's folder), for bundled CommonJS packages
 * that locate their files from it.
 */
export function binBanner({ dirname = false } = {}) {
  return [
    'import * as __cofferModule from "node:module";',
    ...(dirname ? ['import * as __cofferPath from "node:path";', 'import * as __cofferUrl from "node:url";'] : []),
    "const require = __cofferModule.createRequire(import.meta.url);",
    ...(dirname
      ? [
          "const __filename = __cofferUrl.fileURLToPath(import.meta.url);",
          "const __dirname = __cofferPath.dirname(__filename);",
        ]
      : []),
  ].join("\n");
}

/**
 * Empty `outdir`, bundle `entry` into `<outdir>/<bin>-main.js`, and write the bin
 * `<outdir>/<bin>.js`: the Node version check, Node's compile cache, then the bundle (an ES
 * module's static imports all load before its first statement, so the check cannot live in the
 * bundle itself).
 * @param {object} options
 * @param {string} options.bin name of the bin (and of the file, without `.js`)
 * @param {string} options.entry absolute path of its source entry
 * @param {string} options.outdir absolute path of the output folder (removed first)
 * @param {Record<string, string>} [options.define] compile-time constants (JSON texts)
 * @param {boolean} [options.dirname] define `__filename` and `__dirname` in the bin (see {@link binBanner}); default false
 * @returns {Promise<string>} the path of the bin
 */
export async function bundleApp({ bin, entry, outdir, define = {}, dirname = false }) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { [`${bin}-main`]: entry },
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    sourcemap: false,
    legalComments: "none",
    alias: workspaceAliases,
    external: EXTERNAL_PACKAGES,
    define,
    banner: { js: binBanner({ dirname }) },
    logLevel: "warning",
  });
  const file = join(outdir, `${bin}.js`);
  writeFileSync(
    file,
    [
      "#!/usr/bin/env node",
      "// The bin: refuse an old Node before anything loads, then run the bundle with Node's compile cache.",
      'import * as nodeModule from "node:module";',
      nodeVersionCheck(),
      "nodeModule.enableCompileCache?.();",
      `await import("./${bin}-main.js");`,
      "",
    ].join("\n"),
  );
  chmodSync(file, 0o755);
  return file;
}
