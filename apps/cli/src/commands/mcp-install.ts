import { existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { dirname } from "node:path";
import { CofferError, findProjectRoot } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, stringFlag } from "../cli/flag-values.js";
import {
  configSnippet,
  MCP_CLIENTS,
  type McpClient,
  type McpInstallScope,
  mergeMcpConfig,
  planMcpInstall,
} from "../cli/mcp-client-config.js";
import { writePrivateFile } from "../cli/private-file.js";
import { writeStdout } from "../cli/stdout.js";

function clientFlag(text: string | undefined): McpClient {
  if (text === undefined || !(MCP_CLIENTS as readonly string[]).includes(text)) {
    throw new CofferError("INVALID_ARGUMENT", `--client must be one of ${MCP_CLIENTS.join(", ")}`, { field: "client" });
  }
  return text as McpClient;
}

function scopeFlag(text: string | undefined): McpInstallScope {
  if (text === undefined) return "project";
  if (text !== "user" && text !== "project") {
    throw new CofferError("INVALID_ARGUMENT", "--scope must be user or project", { field: "scope" });
  }
  return text;
}

function readExisting(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new CofferError(
      "PERMISSION_DENIED",
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      {
        field: file,
      },
    );
  }
}

/**
 * `coffer mcp install --client claude-code|cursor|vscode [--scope user|project] [--print]`:
 * add the coffer-mcp server to an MCP client's configuration (merged, other servers kept), or
 * print it. Only a command and an agent id go into the file, never a secret.
 */
export const mcpInstallCommand: CommandHandler = async (ctx, args) => {
  const client = clientFlag(stringFlag(args, "client"));
  const scope = scopeFlag(stringFlag(args, "scope"));
  const agentId = stringFlag(args, "agent-id");
  const plan = planMcpInstall({
    client,
    scope,
    ...(agentId !== undefined ? { agentId } : {}),
    projectRoot: findProjectRoot(ctx.cwd).root,
    home: ctx.env.HOME || homedir(),
  });
  const snippet = configSnippet(plan);
  const snippetText = JSON.stringify(snippet, null, 2);
  const base = { client, scope, agentId: plan.agentId, config: snippet };

  if (plan.file === undefined) {
    const step = plan.manualStep!;
    const isCommand = client === "claude-code";
    return {
      data: { ...base, written: false, ...(isCommand ? { command: step } : { instructions: step }) },
      lines: isCommand
        ? [
            `Claude Code keeps user-scope servers in ~/.claude.json, its own state file, which Coffer does not edit. Run:`,
            "",
            `  ${step}`,
          ]
        : [`VS Code keeps user-scope servers in your profile: ${step}:`, "", snippetText],
    };
  }

  if (booleanFlag(args, "print")) {
    if (!ctx.json) {
      ctx.note(`# ${plan.file}: merge this entry (coffer mcp install without --print writes it)`);
      writeStdout(`${snippetText}\n`);
      return { data: null, streamed: true };
    }
    return { data: { ...base, file: plan.file, written: false } };
  }

  const target = existsSync(plan.file) ? realpathSync(plan.file) : plan.file;
  const { text, change } = mergeMcpConfig(readExisting(target), { ...plan, file: target });
  if (change !== "unchanged") {
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    writePrivateFile(target, text);
  }
  const verb = {
    created: "created",
    added: "added to",
    updated: "updated in",
    unchanged: "already in",
  }[change];
  const restart =
    client === "vscode" ? "reload the VS Code window" : `restart ${client === "cursor" ? "Cursor" : "Claude Code"}`;
  return {
    data: { ...base, file: target, written: change !== "unchanged", change },
    lines: [
      change === "created"
        ? `${ctx.style.green("✓")} Created ${target} with the coffer MCP server (agent id '${plan.agentId}')`
        : `${ctx.style.green("✓")} coffer MCP server ${verb} ${target} (agent id '${plan.agentId}')`,
      `  Runs: coffer-mcp --agent-id ${plan.agentId} (no secret is written to this file)`,
      `  Next: ${restart} to load it`,
    ],
  };
};
