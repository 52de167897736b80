import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CliWorld, createWorld, envelope } from "./cli-harness.js";

const MASTER_KEY = "mcp-install-master-key-must-not-leak-0123456789";

function json(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

describe("coffer mcp install", () => {
  let w: CliWorld;
  let home: string;
  beforeEach(() => {
    w = createWorld({ COFFER_MASTER_KEY: MASTER_KEY });
    home = w.env.HOME!;
  });
  afterEach(() => {
    // No configuration file anywhere holds a credential.
    for (const file of [".mcp.json", ".cursor/mcp.json", ".vscode/mcp.json"].flatMap((f) => [
      join(w.cwd, f),
      join(home, f),
    ])) {
      if (existsSync(file)) expect(readFileSync(file, "utf8")).not.toContain(MASTER_KEY);
    }
    w.cleanup();
  });

  it("claude-code, project scope: writes .mcp.json at the project root (0600), and is idempotent", async () => {
    const r = await w.run(["mcp", "install", "--client", "claude-code"]);
    expect(r.code, r.stderr).toBe(0);
    const file = join(w.cwd, ".mcp.json");
    expect(r.stdout).toBe(
      `✓ Created ${file} with the coffer MCP server (agent id 'claude-code')\n` +
        "  Runs: coffer-mcp --agent-id claude-code (no secret is written to this file)\n" +
        "  Next: restart Claude Code to load it\n",
    );
    expect(json(file)).toEqual({
      mcpServers: { coffer: { command: "coffer-mcp", args: ["--agent-id", "claude-code"] } },
    });
    expect(mode(file)).toBe(0o600);
    const again = await w.run(["mcp", "install", "--client", "claude-code", "--json"]);
    expect(envelope<{ change: string; written: boolean }>(again).data).toMatchObject({
      change: "unchanged",
      written: false,
    });

    // From a subdirectory of a git repository, the file goes to the repository root.
    mkdirSync(join(w.cwd, ".git"));
    mkdirSync(join(w.cwd, "src", "deep"), { recursive: true });
    const sub = await w.run(["mcp", "install", "--client", "claude-code", "--agent-id", "claude-reviewer"], {
      cwd: join(w.cwd, "src", "deep"),
    });
    expect(sub.code, sub.stderr).toBe(0);
    expect(existsSync(join(w.cwd, "src", "deep", ".mcp.json"))).toBe(false);
    expect(json(file)).toEqual({
      mcpServers: { coffer: { command: "coffer-mcp", args: ["--agent-id", "claude-reviewer"] } },
    });
    expect(sub.stdout).toMatch(/coffer MCP server updated in /);
  });

  it("merges into an existing file, keeping other servers and keys", async () => {
    const file = join(w.cwd, ".mcp.json");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the client's own variable syntax, kept as text
    const other = { command: "npx", args: ["-y", "@example/server"], env: { EXAMPLE_TOKEN: "${EXAMPLE_TOKEN}" } };
    writeFileSync(file, JSON.stringify({ mcpServers: { example: other }, note: "kept" }), { mode: 0o644 });
    const r = await w.run(["mcp", "install", "--client", "claude-code"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^✓ coffer MCP server added to /);
    expect(json(file)).toEqual({
      mcpServers: { example: other, coffer: { command: "coffer-mcp", args: ["--agent-id", "claude-code"] } },
      note: "kept",
    });
  });

  it("refuses to touch an unparsable file or one whose servers are not an object", async () => {
    const file = join(w.cwd, ".mcp.json");
    const broken = '{ "mcpServers": { // a comment\n } }';
    writeFileSync(file, broken);
    const r = await w.run(["mcp", "install", "--client", "claude-code"]);
    expect(r.code).toBe(12);
    expect(r.stderr).toMatch(/✗ Error: \S+\.mcp\.json is not valid JSON, so Coffer leaves it untouched\n {2}hint: /);
    expect(readFileSync(file, "utf8")).toBe(broken);
    writeFileSync(file, '{ "mcpServers": [] }');
    expect((await w.run(["mcp", "install", "--client", "claude-code"])).code).toBe(12);
    expect(readFileSync(file, "utf8")).toBe('{ "mcpServers": [] }');
  });

  it("claude-code, user scope: prints the claude mcp add command and leaves ~/.claude.json alone", async () => {
    const state = join(home, ".claude.json");
    writeFileSync(state, '{"numStartups": 3, "mcpServers": {}}');
    const r = await w.run(["mcp", "install", "--client", "claude-code", "--scope", "user"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("\n  claude mcp add --scope user coffer -- coffer-mcp --agent-id claude-code\n");
    expect(readFileSync(state, "utf8")).toBe('{"numStartups": 3, "mcpServers": {}}');
    const j = envelope<{ command: string; written: boolean }>(
      await w.run(["mcp", "install", "--client", "claude-code", "--scope", "user", "--agent-id", "me-bot", "--json"]),
    );
    expect(j.data).toMatchObject({
      written: false,
      command: "claude mcp add --scope user coffer -- coffer-mcp --agent-id me-bot",
    });
  });

  it("cursor: .cursor/mcp.json in the project, or ~/.cursor/mcp.json for the user (dir 0700, file 0600)", async () => {
    const p = await w.run(["mcp", "install", "--client", "cursor"]);
    expect(p.code, p.stderr).toBe(0);
    const projectFile = join(w.cwd, ".cursor", "mcp.json");
    expect(json(projectFile)).toEqual({
      mcpServers: { coffer: { command: "coffer-mcp", args: ["--agent-id", "cursor"] } },
    });
    expect(mode(projectFile)).toBe(0o600);
    expect(mode(join(w.cwd, ".cursor"))).toBe(0o700);

    const userFile = join(home, ".cursor", "mcp.json");
    mkdirSync(join(home, ".cursor"), { mode: 0o755 });
    writeFileSync(
      userFile,
      JSON.stringify({ mcpServers: { github: { url: "https://api.example.com/mcp" } } }, null, 2),
    );
    const u = await w.run(["mcp", "install", "--client", "cursor", "--scope", "user"]);
    expect(u.code, u.stderr).toBe(0);
    expect(json(userFile)).toEqual({
      mcpServers: {
        github: { url: "https://api.example.com/mcp" },
        coffer: { command: "coffer-mcp", args: ["--agent-id", "cursor"] },
      },
    });
    expect(mode(userFile)).toBe(0o600);
  });

  it("vscode: .vscode/mcp.json with servers and type stdio; user scope prints the snippet", async () => {
    const file = join(w.cwd, ".vscode", "mcp.json");
    mkdirSync(join(w.cwd, ".vscode"));
    const inputs = [{ type: "promptString", id: "api-key", description: "API key", password: true }];
    writeFileSync(
      file,
      JSON.stringify({ inputs, servers: { fetch: { type: "stdio", command: "uvx", args: ["mcp-server-fetch"] } } }),
    );
    const r = await w.run(["mcp", "install", "--client", "vscode"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Next: reload the VS Code window");
    expect(json(file)).toEqual({
      inputs,
      servers: {
        fetch: { type: "stdio", command: "uvx", args: ["mcp-server-fetch"] },
        coffer: { type: "stdio", command: "coffer-mcp", args: ["--agent-id", "vscode"] },
      },
    });

    const user = await w.run(["mcp", "install", "--client", "vscode", "--scope", "user"]);
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/MCP: Open User Configuration/);
    const snippet = user.stdout.slice(user.stdout.indexOf("{"));
    expect(JSON.parse(snippet)).toEqual({
      servers: { coffer: { type: "stdio", command: "coffer-mcp", args: ["--agent-id", "vscode"] } },
    });
  });

  it("--print shows the configuration without writing anything", async () => {
    for (const client of ["claude-code", "cursor", "vscode"]) {
      const r = await w.run(["mcp", "install", "--client", client, "--print"]);
      expect(r.code, r.stderr).toBe(0);
      const printed = JSON.parse(r.stdout) as Record<string, Record<string, { command: string; args: string[] }>>;
      const servers = printed[client === "vscode" ? "servers" : "mcpServers"]!;
      expect(servers.coffer).toMatchObject({ command: "coffer-mcp", args: ["--agent-id", client] });
      expect(r.stderr).toMatch(/mcp\.json: merge this entry/);
    }
    const j = envelope<{ file: string; written: boolean; config: unknown }>(
      await w.run(["mcp", "install", "--client", "cursor", "--scope", "user", "--print", "--json"]),
    );
    expect(j.data).toMatchObject({ file: join(home, ".cursor", "mcp.json"), written: false });
    for (const f of [".mcp.json", ".cursor", ".vscode"]) expect(existsSync(join(w.cwd, f))).toBe(false);
    expect(existsSync(join(home, ".cursor"))).toBe(false);
  });

  it("rejects an unknown client, scope or agent id", async () => {
    expect((await w.run(["mcp", "install"])).code).toBe(2);
    expect((await w.run(["mcp", "install", "--client", "zed"])).code).toBe(2);
    expect((await w.run(["mcp", "install", "--client", "cursor", "--scope", "global"])).code).toBe(2);
    const bad = await w.run(["mcp", "install", "--client", "cursor", "--agent-id", "bad id; rm -rf"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--agent-id must match/);
    expect(existsSync(join(w.cwd, ".cursor"))).toBe(false);
  });

  it("--wrap installs another server started through 'coffer mcp wrap', its environment holding references only", async () => {
    const r = await w.run([
      "mcp",
      "install",
      "--client",
      "cursor",
      "--wrap",
      "github",
      "--ref",
      "GITHUB_PERSONAL_ACCESS_TOKEN=coffer://GITHUB_TOKEN",
      "--ref",
      "OTHER=coffer://OTHER?env=prod",
      "--",
      "npx",
      "-y",
      "@modelcontextprotocol/server-github",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const file = join(w.cwd, ".cursor", "mcp.json");
    expect(json(file)).toEqual({
      mcpServers: {
        github: {
          command: "coffer",
          args: ["mcp", "wrap", "--", "npx", "-y", "@modelcontextprotocol/server-github"],
          env: { GITHUB_PERSONAL_ACCESS_TOKEN: "coffer://GITHUB_TOKEN", OTHER: "coffer://OTHER?env=prod" },
        },
      },
    });
    expect(r.stdout).toContain("references only");
    // The coffer server entry can sit beside it.
    expect((await w.run(["mcp", "install", "--client", "cursor"])).code).toBe(0);
    expect(Object.keys((json(file) as { mcpServers: object }).mcpServers).sort()).toEqual(["coffer", "github"]);
  });

  it("--wrap refuses a --ref that is not a reference without writing or echoing it", async () => {
    const value = "ghp_realTokenValue0123456789abcdefABCD";
    const r = await w.run([
      "mcp",
      "install",
      "--client",
      "cursor",
      "--wrap",
      "gh",
      "--ref",
      `TOKEN=${value}`,
      "--",
      "server",
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain(value);
    expect(r.stderr).toContain("--ref TOKEN");
    expect(existsSync(join(w.cwd, ".cursor", "mcp.json"))).toBe(false);
    expect((await w.run(["mcp", "install", "--client", "cursor", "--wrap", "gh"])).code).toBe(2);
    expect((await w.run(["mcp", "install", "--client", "cursor", "--", "server"])).code).toBe(2);
  });

  it("--wrap for Claude Code's user scope prints the claude mcp add command", async () => {
    const r = await w.run([
      "mcp",
      "install",
      "--client",
      "claude-code",
      "--scope",
      "user",
      "--wrap",
      "github",
      "--ref",
      "TOKEN=coffer://GITHUB_TOKEN?scope=team:acme&env=prod",
      "--",
      "npx",
      "-y",
      "server-github",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "claude mcp add --scope user -e 'TOKEN=coffer://GITHUB_TOKEN?scope=team:acme&env=prod' github -- coffer mcp wrap -- npx -y server-github",
    );
  });
});
