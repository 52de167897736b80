import { existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { dirname } from "node:path";
import { CofferError, findProjectRoot, isReference, parseReference } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, repeatedFlag, stringFlag } from "../cli/flag-values.js";
import {
  configSnippet,
  MCP_CLIENTS,
  type McpClient,
  type McpInstallScope,
  mergeMcpConfig,
  planMcpInstall,
  type WrappedServer,
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
 * The server `--wrap NAME [--ref KEY=coffer://...]... -- <command>` asks for. Every `--ref`
 * value must be a reference: a value would be written into the client's file.
 * @throws CofferError INVALID_ARGUMENT (never quoting a `--ref` value)
 */
function wrappedServer(name: string | undefined, refs: string[], command: string[]): WrappedServer | undefined {
  if (name === undefined) {
    if (refs.length > 0 || command.length > 0) {
      throw new CofferError("INVALID_ARGUMENT", "--ref and a command after -- go with --wrap NAME", { field: "wrap" });
    }
    return undefined;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name) || name === "coffer") {
    throw new CofferError("INVALID_ARGUMENT", "--wrap needs a server name of letters, digits, _ . - (not coffer)", {
      field: "wrap",
    });
  }
  if (command.length === 0) {
    throw new CofferError("INVALID_ARGUMENT", "--wrap needs the server's command after --", {
      field: "command",
      hint: "coffer mcp install --client cursor --wrap github --ref TOKEN=coffer://GITHUB_TOKEN -- npx -y server-github",
    });
  }
  const env: Record<string, string> = {};
  for (const ref of refs) {
    const eq = ref.indexOf("=");
    const key = eq < 0 ? "" : ref.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new CofferError(
        "INVALID_ARGUMENT",
        "--ref must be KEY=coffer://NAME with KEY an environment variable name",
        {
          field: "ref",
        },
      );
    }
    const value = ref.slice(eq + 1);
    let ok = isReference(value);
    if (ok) {
      try {
        parseReference(value);
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      throw new CofferError(
        "INVALID_ARGUMENT",
        `--ref ${key}: the value is not a valid coffer:// reference, so it is not written`,
        {
          field: "ref",
          hint: "store the value first (coffer set NAME) and pass KEY=coffer://NAME",
        },
      );
    }
    env[key] = value;
  }
  return { name, command, env };
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
  const wrap = wrappedServer(stringFlag(args, "wrap"), repeatedFlag(args, "ref"), args.tail);
  const plan = planMcpInstall({
    client,
    scope,
    ...(agentId !== undefined ? { agentId } : {}),
    ...(wrap ? { wrap } : {}),
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
      ...(wrap
        ? [
            change === "created"
              ? `${ctx.style.green("✓")} Created ${target} with the ${plan.name} MCP server`
              : `${ctx.style.green("✓")} ${plan.name} MCP server ${verb} ${target}`,
            `  Runs: coffer mcp wrap -- ${wrap.command.join(" ")} (references only: no secret is written to this file)`,
          ]
        : [
            change === "created"
              ? `${ctx.style.green("✓")} Created ${target} with the coffer MCP server (agent id '${plan.agentId}')`
              : `${ctx.style.green("✓")} coffer MCP server ${verb} ${target} (agent id '${plan.agentId}')`,
            `  Runs: coffer-mcp --agent-id ${plan.agentId} (no secret is written to this file)`,
          ]),
      `  Next: ${restart} to load it`,
    ],
  };
};
