import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "./mcp-harness.js";

/** The machine's own Node (older than Coffer needs on the test machines), when there is one. */
const OLD_NODE = "/usr/bin/node";
function oldNodeVersion(): string | undefined {
  if (!existsSync(OLD_NODE)) return undefined;
  const version = execFileSync(OLD_NODE, ["--version"], { encoding: "utf8" }).trim();
  const [major, minor] = version.slice(1).split(".").map(Number) as [number, number];
  return major < 22 || (major === 22 && minor < 12) ? version : undefined;
}
const oldVersion = oldNodeVersion();
if (!oldVersion) console.warn(`SKIPPED: no Node.js older than 22.12 at ${OLD_NODE} to run the coffer-mcp bin with`);

describe("coffer-mcp on a Node.js older than 22.12", () => {
  const root = mkdtempSync(join(tmpdir(), "coffer-old-node-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.skipIf(!oldVersion)("says which Node it needs and exits non-zero before opening anything", () => {
    const home = join(root, "home");
    const run = spawnSync(OLD_NODE, [BIN], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: root, COFFER_HOME: home },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`Coffer needs Node.js 22.12 or newer (this is ${oldVersion})\n`);
    expect(run.stdout).toBe("");
    // Nothing was created: the store (native code) was never reached.
    expect(existsSync(home) ? readdirSync(home) : []).toEqual([]);
  });
});
