// Bundles the CLI with esbuild. Workspace packages are bundled from their sources; only the
// native `better-sqlite3` and the cloud SDKs stay external (real dependencies, loaded lazily
// when such a provider is configured and used).
//
// Output: dist/coffer.js, the bin: a few lines that enable Node's compile cache and then
// import dist/coffer-main.cjs, the bundle of everything else. (The compile cache only applies
// to modules loaded after it is enabled, so the bundle must be a second module.)
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

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
  },
};

/**
 * `yaml` as its ES module build: the same code, but bundled as hoisted modules instead of ~70
 * CommonJS wrappers that each run at start-up (about 15 ms saved on every command).
 */
const yamlAsEsm = {
  name: "yaml-as-esm",
  setup(b) {
    const coreRequire = createRequire(join(root, "packages", "core", "package.json"));
    const yamlDir = dirname(coreRequire.resolve("yaml/package.json"));
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: join(yamlDir, "browser", "index.js") }));
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
  external: ["better-sqlite3", "@aws-sdk/*", "@azure/*", "@smithy/*"],
};

rmSync(join(here, "dist"), { recursive: true, force: true });

const main = await build({
  ...common,
  // CommonJS, so each lazily imported module's require() of Node built-ins and of
  // better-sqlite3 runs only when that module is first used (ESM would hoist them all).
  format: "cjs",
  metafile: process.env.COFFER_BUILD_META === "1",
  entryPoints: [join(here, "src", "main.ts")],
  outfile: join(here, "dist", "coffer-main.cjs"),
  plugins: [workspaceSources, yamlAsEsm],
  define: { __COFFER_VERSION__: JSON.stringify(pkg.version) },
});

await build({
  ...common,
  entryPoints: [join(here, "src", "coffer.ts")],
  outfile: join(here, "dist", "coffer.js"),
  // The bin only refers to main.js for its type; the bundle is loaded with require() at run time.
  banner: { js: "#!/usr/bin/env node" },
});
chmodSync(join(here, "dist", "coffer.js"), 0o755);

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
