import { join } from "node:path";
import { CofferError, validateAgentId } from "@coffer/core";

/** MCP clients `coffer mcp install` knows. */
export const MCP_CLIENTS = ["claude-code", "cursor", "vscode"] as const;
/** One MCP client. */
export type McpClient = (typeof MCP_CLIENTS)[number];
/** Where the configuration goes: the user's own settings or the project's. */
export type McpInstallScope = "user" | "project";

/** Name of the server entry Coffer adds. */
export const MCP_SERVER_NAME = "coffer";
/** Program the clients start. */
export const MCP_SERVER_COMMAND = "coffer-mcp";

/** How one client's configuration is installed. */
export interface McpInstallPlan {
  /** The client. */
  client: McpClient;
  /** The scope. */
  scope: McpInstallScope;
  /** The agent id coffer-mcp runs as (audited, checked by policy). */
  agentId: string;
  /** Name of the server entry. @default "coffer" */
  name: string;
  /** JSON file the entry is merged into; absent when Coffer only prints what to do. */
  file?: string;
  /** Key of the object holding the servers in that JSON (`mcpServers`, or `servers` for VS Code). */
  serversKey: "mcpServers" | "servers";
  /** The server entry: a command and arguments only, never a secret. */
  entry: Record<string, unknown>;
  /** For scopes Coffer does not write: the command to run or where to paste the snippet. */
  manualStep?: string;
}

/**
 * Check an agent id given with `--agent-id` (core's agent-id rule).
 * @throws CofferError INVALID_ARGUMENT
 */
export function checkAgentId(id: string): string {
  return validateAgentId(id, "--agent-id");
}

/** Another MCP server to install started through `coffer mcp wrap`, with references in its environment. */
export interface WrappedServer {
  /** Name of its entry. */
  name: string;
  /** Its command line (program and arguments). */
  command: string[];
  /** Environment variables whose values are `coffer://` references (never values). */
  env: Record<string, string>;
}

/** Quote one word for a POSIX shell command shown to the user. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * What `coffer mcp install` does for a client and scope. Claude Code's user scope lives in
 * `~/.claude.json`, the application's own state file that it rewrites while running, so Coffer
 * prints the `claude mcp add` command instead of editing it; VS Code's user configuration lives
 * in the profile, so Coffer prints the snippet for "MCP: Open User Configuration". With `wrap`, the
 * entry starts another server through `coffer mcp wrap`, its environment holding references.
 */
export function planMcpInstall(options: {
  client: McpClient;
  scope: McpInstallScope;
  agentId?: string;
  projectRoot: string;
  home: string;
  wrap?: WrappedServer;
}): McpInstallPlan {
  const { client, scope, wrap } = options;
  const agentId = checkAgentId(options.agentId ?? client);
  const name = wrap?.name ?? MCP_SERVER_NAME;
  const command = wrap ? "coffer" : MCP_SERVER_COMMAND;
  const args = wrap ? ["mcp", "wrap", "--", ...wrap.command] : ["--agent-id", agentId];
  const env = wrap && Object.keys(wrap.env).length > 0 ? { env: wrap.env } : {};
  switch (client) {
    case "claude-code": {
      const entry = { command, args, ...env };
      if (scope === "project") {
        return {
          client,
          scope,
          agentId,
          name,
          file: join(options.projectRoot, ".mcp.json"),
          serversKey: "mcpServers",
          entry,
        };
      }
      const envFlags = Object.entries(wrap?.env ?? {}).map(([k, v]) => `-e ${shellWord(`${k}=${v}`)} `);
      return {
        client,
        scope,
        agentId,
        name,
        serversKey: "mcpServers",
        entry,
        manualStep: `claude mcp add --scope user ${envFlags.join("")}${name} -- ${[command, ...args].map(shellWord).join(" ")}`,
      };
    }
    case "cursor": {
      const dir = scope === "project" ? options.projectRoot : options.home;
      return {
        client,
        scope,
        agentId,
        name,
        file: join(dir, ".cursor", "mcp.json"),
        serversKey: "mcpServers",
        entry: { command, args, ...env },
      };
    }
    case "vscode": {
      const entry = { type: "stdio", command, args, ...env };
      if (scope === "project") {
        return {
          client,
          scope,
          agentId,
          name,
          file: join(options.projectRoot, ".vscode", "mcp.json"),
          serversKey: "servers",
          entry,
        };
      }
      return {
        client,
        scope,
        agentId,
        name,
        serversKey: "servers",
        entry,
        manualStep: 'in VS Code run "MCP: Open User Configuration" and add this server under "servers"',
      };
    }
  }
}

/** The JSON a plan stands for on its own: `{ "<serversKey>": { "coffer": entry } }`. */
export function configSnippet(plan: McpInstallPlan): Record<string, unknown> {
  return { [plan.serversKey]: { [plan.name]: plan.entry } };
}

/** What merging did to the file. */
export type McpMergeChange = "created" | "added" | "updated" | "unchanged";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Merge the plan's entry into a client config file's text (undefined: no file yet), keeping
 * every other key and server. Returns the new text and what changed.
 * @throws CofferError CONFIG when the existing text is not a JSON object or its servers key is not an object
 */
export function mergeMcpConfig(
  existing: string | undefined,
  plan: McpInstallPlan & { file: string },
): { text: string; change: McpMergeChange } {
  let document: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch {
      throw new CofferError("CONFIG", `${plan.file} is not valid JSON, so Coffer leaves it untouched`, {
        field: plan.file,
        hint: "fix the file (comments are not supported) or add the entry by hand; 'coffer mcp install --print' shows it",
      });
    }
    if (!isObject(parsed)) {
      throw new CofferError("CONFIG", `${plan.file} does not hold a JSON object, so Coffer leaves it untouched`, {
        field: plan.file,
        hint: "add the entry by hand; 'coffer mcp install --print' shows it",
      });
    }
    document = parsed;
  }
  const servers = document[plan.serversKey] ?? {};
  if (!isObject(servers)) {
    throw new CofferError(
      "CONFIG",
      `"${plan.serversKey}" in ${plan.file} is not an object, so Coffer leaves the file untouched`,
      {
        field: plan.file,
        hint: "add the entry by hand; 'coffer mcp install --print' shows it",
      },
    );
  }
  const previous = servers[plan.name];
  const change: McpMergeChange =
    existing === undefined
      ? "created"
      : previous === undefined
        ? "added"
        : JSON.stringify(previous) === JSON.stringify(plan.entry)
          ? "unchanged"
          : "updated";
  const merged = { ...document, [plan.serversKey]: { ...servers, [plan.name]: plan.entry } };
  return { text: `${JSON.stringify(merged, null, 2)}\n`, change };
}
