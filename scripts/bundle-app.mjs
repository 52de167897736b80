// How the MCP server and the REST server bundle their bin with esbuild (each app's build.mjs
// calls bundleApp): one ESM file, `#!/usr/bin/env node` first, Node's compile cache enabled
// before anything else loads. Workspace packages, and the small dependencies, are bundled from
// their sources, so a bin never embeds a stale build of another package; better-sqlite3 (native)
// and the cloud SDKs stay external: they are real dependencies, loaded lazily only when
// configured.
import { chmodSync, rmSync } from "node:fs";
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
];

/** `@coffer/<dir>` -> the package's source entry. */
export const workspaceAliases = Object.fromEntries(
  WORKSPACE_PACKAGES.map((dir) => [
    `@coffer/${dir}`,
    fileURLToPath(new URL(`../packages/${dir}/src/index.ts`, import.meta.url)),
  ]),
);

/** Imports left to Node at run time: the native addon and the cloud SDKs. */
export const EXTERNAL_PACKAGES = ["better-sqlite3", "@aws-sdk/*", "@azure/*"];

/**
 * The first lines of a bin: the shebang, the compile cache (it applies only to modules loaded
 * after it is enabled: the external ones), and `require` for bundled CommonJS code. With
 * `dirname`, also `__filename` and `__dirname` (the bin's folder), for bundled CommonJS packages
 * that locate their files from it.
 */
export function binBanner({ dirname = false } = {}) {
  return [
    "#!/usr/bin/env node",
    'import * as __cofferModule from "node:module";',
    ...(dirname ? ['import * as __cofferPath from "node:path";', 'import * as __cofferUrl from "node:url";'] : []),
    "__cofferModule.enableCompileCache?.();",
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
 * Empty `outdir`, bundle `entry` into `<outdir>/<bin>.js` and make it executable.
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
    entryPoints: { [bin]: entry },
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
  chmodSync(file, 0o755);
  return file;
}
