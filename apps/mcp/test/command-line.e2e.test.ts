import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, makeWorkspace, serverEnv } from "./mcp-harness.js";

const ws = makeWorkspace();
afterAll(() => ws.cleanup());

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: ws.cwd,
    env: serverEnv(ws, env),
    encoding: "utf8",
    timeout: 20_000,
  });
}

describe("coffer-mcp command line", () => {
  it("--version prints the package version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    const result = run(["--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${pkg.version}\n`);
  });

  it("--help shows transports, identity and tool selection", () => {
    const result = run(["--help"]);
    expect(result.status).toBe(0);
    for (const option of [
      "--http",
      "--port",
      "--host",
      "--agent-id",
      "COFFER_AGENT_ID",
      "--tools",
      "--exec-allow",
      "mcp.http.tokens",
    ]) {
      expect(result.stdout).toContain(option);
    }
  });

  it("rejects unknown options and tools with exit status 2 and a clear message", () => {
    const unknown = run(["--frobnicate"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/INVALID_ARGUMENT: .*--frobnicate/);
    expect(unknown.stdout).toBe("");
    const badTool = run(["--tools", "core,drop_everything"]);
    expect(badTool.status).toBe(2);
    expect(badTool.stderr).toContain('unknown tool "drop_everything"');
    const badAgent = run(["--agent-id", "has spaces"]);
    expect(badAgent.status).toBe(2);
  });

  it("refuses --http without any token configured", () => {
    const result = run(["--http", "--port", "0"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("CONFIG: --http needs at least one bearer token");
  });

  it("mints a token whose hash it prints as a config entry", () => {
    const result = run(["token", "--agent-id", "ci-bot"]);
    expect(result.status).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^cmcp_[A-Za-z0-9_-]{43}$/);
    expect(result.stderr).toMatch(/agentId: ci-bot\n\s+tokenSha256: [0-9a-f]{64}/);
  });
});
