#!/usr/bin/env node
// Install like a user: pack every public package, then, in a temporary directory outside the
// workspace with its own npm prefix, install the CLI and the MCP server globally from their
// tarballs and use them, and install the library into a fresh project from tarballs.
// Prints one line per check and a closing "N passed, N failed" line; exits non-zero on failure.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(join(tmpdir(), "coffer-install-"));
const packs = join(work, "packs");
const prefix = join(work, "prefix");
const home = join(work, "home");
mkdirSync(packs);
mkdirSync(prefix);
mkdirSync(home);

const results = [];
function check(name, fn) {
  const started = Date.now();
  try {
    fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    results.push({ name, ok: false });
    console.log(`  ✗ ${name}\n${String(err?.stack ?? err).replace(/^/gm, "      ")}`);
  }
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 600_000, ...options });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// npm for installs: a clean environment that knows nothing of the workspace. A custom prefix
// also moves npm's global config ({prefix}/etc/npmrc), which is where a machine keeps settings
// such as its CA file: point npm back at the machine's global config.
const machineGlobalConfig = execFileSync("npm", ["config", "get", "globalconfig"], { encoding: "utf8" }).trim();
const npmEnv = {
  ...process.env,
  npm_config_globalconfig: machineGlobalConfig,
  npm_config_prefix: prefix,
  npm_config_cache: join(work, "npm-cache"),
  npm_config_fund: "false",
  npm_config_audit: "false",
  npm_config_update_notifier: "false",
};
delete npmEnv.npm_config_nodedir;
delete npmEnv.COFFER_MASTER_KEY;
// The CLI's start-up code cache goes to a temp XDG_CACHE_HOME, not the user's ~/.cache.
const userEnv = {
  ...npmEnv,
  PATH: `${join(prefix, "bin")}:${process.env.PATH}`,
  COFFER_HOME: home,
  XDG_CACHE_HOME: join(work, "xdg-cache"),
  NO_COLOR: "1",
};

const PUBLIC = [
  "@coffer/core",
  "@coffer/provider-local",
  "@coffer/provider-env",
  "@coffer/provider-aws",
  "@coffer/provider-azure",
  "@coffer/runtime",
  "@coffer/cli",
  "@coffer/mcp",
  "@coffer/server",
];
const tarball = (name) => {
  const file = readdirSync(packs).find(
    (f) => f.startsWith(`${name.replace("@", "").replace("/", "-")}-`) && f.endsWith(".tgz"),
  );
  if (!file) throw new Error(`no tarball for ${name} in ${packs}`);
  return join(packs, file);
};

console.log(`install test in ${work}`);

check("pack every public package (pnpm rewrites workspace: ranges)", () => {
  run("pnpm", ["-r", ...PUBLIC.flatMap((p) => ["--filter", p]), "pack", "--pack-destination", packs], { cwd: root });
  for (const name of PUBLIC) {
    const tgz = tarball(name);
    const manifest = execFileSync("tar", ["-xOzf", tgz, "package/package.json"], { encoding: "utf8" });
    assert(!manifest.includes("workspace:"), `${name}: a workspace: range is left in the packed package.json`);
    const pkg = JSON.parse(manifest);
    assert(pkg.engines?.node, `${name}: no engines.node`);
    assert(pkg.license, `${name}: no license`);
    const files = execFileSync("tar", ["-tzf", tgz], { encoding: "utf8" });
    assert(files.includes("package/README.md"), `${name}: no README.md in the tarball`);
  }
});

check("npm install -g the CLI tarball, then coffer --version", () => {
  run("npm", ["install", "-g", tarball("@coffer/cli")], { env: npmEnv, cwd: work });
  const version = JSON.parse(readFileSync(join(root, "apps/cli/package.json"), "utf8")).version;
  const r = run("coffer", ["--version"], { env: userEnv, cwd: work });
  assert(
    r.stdout.trim().endsWith(version),
    `coffer --version printed ${JSON.stringify(r.stdout)}, expected ${version}`,
  );
});

check("the installed CLI sets and gets a secret in a temporary COFFER_HOME", () => {
  run("coffer", ["set", "INSTALL_TEST_KEY"], { env: userEnv, cwd: work, input: "sk_install_value_123xyz\n" });
  const plain = run("coffer", ["get", "INSTALL_TEST_KEY", "--plain"], { env: userEnv, cwd: work });
  assert(plain.stdout.trim() === "sk_install_value_123xyz", "the value read back differs");
  const masked = run("coffer", ["get", "INSTALL_TEST_KEY"], { env: userEnv, cwd: work });
  assert(!masked.stdout.includes("sk_install_value_123xyz"), "coffer get printed the value without --show-full");
});

check("npm install -g the MCP tarball; handshake and a tool call with the real MCP client", () => {
  run("npm", ["install", "-g", tarball("@coffer/mcp")], { env: npmEnv, cwd: work });
  const version = JSON.parse(readFileSync(join(root, "apps/mcp/package.json"), "utf8")).version;
  const v = run("coffer-mcp", ["--version"], { env: userEnv, cwd: work });
  assert(v.stdout.trim().endsWith(version), `coffer-mcp --version printed ${JSON.stringify(v.stdout)}`);
  // The client comes from the workspace (it is the test's tool, not part of what is installed).
  const requireFromMcp = createRequire(join(root, "apps/mcp/package.json"));
  const clientModule = requireFromMcp.resolve("@modelcontextprotocol/sdk/client/index.js");
  const stdioModule = requireFromMcp.resolve("@modelcontextprotocol/sdk/client/stdio.js");
  const script = join(work, "mcp-client.mjs");
  writeFileSync(
    script,
    `import { Client } from ${JSON.stringify(clientModule)};
import { StdioClientTransport } from ${JSON.stringify(stdioModule)};
const transport = new StdioClientTransport({ command: ${JSON.stringify(join(prefix, "bin", "coffer-mcp"))}, args: ["--agent-id", "install-test"], env: process.env, cwd: process.cwd(), stderr: "pipe" });
const client = new Client({ name: "install-test", version: "1.0.0" });
await client.connect(transport);
const tools = await client.listTools();
if (!tools.tools.some((t) => t.name === "set_secret")) throw new Error("set_secret is not listed");
const set = await client.callTool({ name: "set_secret", arguments: { key: "MCP_INSTALL_KEY", value: "mcp-install-value-987" } });
if (set.isError) throw new Error("set_secret failed: " + JSON.stringify(set.content));
const get = await client.callTool({ name: "get_secret", arguments: { key: "MCP_INSTALL_KEY" } });
const text = JSON.stringify(get.content);
if (get.isError || text.includes("mcp-install-value-987")) throw new Error("get_secret did not return a masked preview: " + text);
console.log(set.content[0].text);
await client.close();
`,
  );
  const r = run(process.execPath, [script], { env: userEnv, cwd: work });
  assert(r.stdout.includes("MCP_INSTALL_KEY saved"), `unexpected set_secret result: ${r.stdout}`);
});

check("a fresh project installs @coffer/core and @coffer/provider-local from tarballs and uses the library", () => {
  const project = join(work, "project");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "coffer-install-project", private: true, type: "module" }),
  );
  run("npm", ["install", tarball("@coffer/core"), tarball("@coffer/provider-local")], { env: npmEnv, cwd: project });
  writeFileSync(
    join(project, "main.mjs"),
    `import { createCoffer } from "@coffer/core";
import { local } from "@coffer/provider-local";
const coffer = createCoffer({ providers: [local()] });
const w = await coffer.set("LIB_INSTALL_KEY", "library-install-value");
const r = await coffer.get("LIB_INSTALL_KEY", { reveal: true });
if (r.value !== "library-install-value") throw new Error("read back a different value");
console.log("stored version " + w.version + " in " + r.provenance.provider);
await coffer.dispose();
`,
  );
  const r = run(process.execPath, ["main.mjs"], { env: userEnv, cwd: project });
  assert(r.stdout.includes("stored version 1 in local"), `unexpected output: ${r.stdout}${r.stderr}`);
});

rmSync(work, { recursive: true, force: true });
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`install: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
