#!/usr/bin/env node
// The main job on the embedded default: store, list and read a first secret with the built CLI,
// in a throw-away COFFER_HOME so nothing touches your real store; then check that the MCP server
// and the REST server were built too, and say how to run them all with this Node.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "apps", "cli", "dist", "coffer.js");
const home = mkdtempSync(join(tmpdir(), "coffer-demo-"));
const env = { ...process.env, COFFER_HOME: home, NO_COLOR: "1" };
delete env.COFFER_MASTER_KEY;

function coffer(args, input) {
  console.log(`\n$ ${input === undefined ? "" : `echo "<value>" | `}coffer ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: home, env, input, encoding: "utf8" });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status !== 0) {
    console.error(`demo: coffer ${args[0]} exited with ${r.status}`);
    process.exit(1);
  }
  return r.stdout;
}

try {
  console.log(`Using a fresh local store in ${home}`);
  coffer(
    ["set", "STRIPE_SECRET_KEY", "--tags", "prod,payments", "--description", "Stripe live key"],
    "sk_live_51HxDemoValue9xyz\n",
  );
  coffer(["list"]);
  coffer(["get", "STRIPE_SECRET_KEY"]);
  const plain = coffer(["get", "STRIPE_SECRET_KEY", "--plain"]);
  if (plain.trim() !== "sk_live_51HxDemoValue9xyz") {
    console.error("demo: the value read back differs from the value stored");
    process.exit(1);
  }
  coffer([
    "run",
    "--",
    process.execPath,
    "-e",
    "console.log('child sees STRIPE_SECRET_KEY =', process.env.STRIPE_SECRET_KEY)",
  ]);
  for (const [app, binName] of [
    ["mcp", "coffer-mcp"],
    ["server", "coffer-server"],
  ]) {
    const r = spawnSync(process.execPath, [join(root, "apps", app, "dist", `${binName}.js`), "--version"], {
      env,
      encoding: "utf8",
    });
    if (r.status !== 0) {
      console.error(`demo: ${binName} is not built (${(r.stderr || "").trim() || `exit ${r.status}`})`);
      process.exit(1);
    }
    console.log(`${binName} ${r.stdout.trim()} is built`);
  }
  console.log("\nDemo complete: stored, listed and read a secret in the embedded encrypted store.");
  console.log(
    `Node ${process.version} ran it. To use the same Node and pnpm in your shell (Coffer needs 22.12 or newer):`,
  );
  console.log("  source scripts/bootstrap.sh");
  console.log("  pnpm coffer list        # or: pnpm coffer-mcp, pnpm coffer-server");
} finally {
  rmSync(home, { recursive: true, force: true });
}
