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

/**
 * What `coffer mcp install` does for a client and scope. Claude Code's user scope lives in
 * `~/.claude.json`, the application's own state file that it rewrites while running, so Coffer
 * prints the `claude mcp add` command instead of editing it; VS Code's user configuration lives
 * in the profile, so Coffer prints the snippet for "MCP: Open User Configuration".
 */
export function planMcpInstall(options: {
  client: McpClient;
  scope: McpInstallScope;
  agentId?: string;
  projectRoot: string;
  home: string;
}): McpInstallPlan {
  const { client, scope } = options;
  const agentId = checkAgentId(options.agentId ?? client);
  const args = ["--agent-id", agentId];
  switch (client) {
    case "claude-code": {
      const entry = { command: MCP_SERVER_COMMAND, args };
      if (scope === "project") {
        return {
          client,
          scope,
          agentId,
          file: join(options.projectRoot, ".mcp.json"),
          serversKey: "mcpServers",
          entry,
        };
      }
      return {
        client,
        scope,
        agentId,
        serversKey: "mcpServers",
        entry,
        manualStep: `claude mcp add --scope user ${MCP_SERVER_NAME} -- ${MCP_SERVER_COMMAND} ${args.join(" ")}`,
      };
    }
    case "cursor": {
      const dir = scope === "project" ? options.projectRoot : options.home;
      return {
        client,
        scope,
        agentId,
        file: join(dir, ".cursor", "mcp.json"),
        serversKey: "mcpServers",
        entry: { command: MCP_SERVER_COMMAND, args },
      };
    }
    case "vscode": {
      const entry = { type: "stdio", command: MCP_SERVER_COMMAND, args };
      if (scope === "project") {
        return {
          client,
          scope,
          agentId,
          file: join(options.projectRoot, ".vscode", "mcp.json"),
          serversKey: "servers",
          entry,
        };
      }
      return {
        client,
        scope,
        agentId,
        serversKey: "servers",
        entry,
        manualStep: 'in VS Code run "MCP: Open User Configuration" and add this server under "servers"',
      };
    }
  }
}

/** The JSON a plan stands for on its own: `{ "<serversKey>": { "coffer": entry } }`. */
export function configSnippet(plan: McpInstallPlan): Record<string, unknown> {
  return { [plan.serversKey]: { [MCP_SERVER_NAME]: plan.entry } };
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
  const previous = servers[MCP_SERVER_NAME];
  const change: McpMergeChange =
    existing === undefined
      ? "created"
      : previous === undefined
        ? "added"
        : JSON.stringify(previous) === JSON.stringify(plan.entry)
          ? "unchanged"
          : "updated";
  const merged = { ...document, [plan.serversKey]: { ...servers, [MCP_SERVER_NAME]: plan.entry } };
  return { text: `${JSON.stringify(merged, null, 2)}\n`, change };
}
