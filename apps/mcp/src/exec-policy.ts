import { basename } from "node:path";
import { CofferError, quoteName } from "@coffer/core";

/**
 * Network tools an agent could use to send an injected secret somewhere. They are refused even
 * under `"*"`; only an allowlist entry naming the tool itself allows one.
 */
export const NETWORK_TOOLS = [
  "curl",
  "wget",
  "nc",
  "ncat",
  "netcat",
  "socat",
  "ssh",
  "scp",
  "sftp",
  "rsync",
  "telnet",
  "ftp",
  "lftp",
  "tftp",
  "http",
  "https",
  "xh",
  "aria2c",
] as const;

/** Which commands `exec_with_secrets` may run. */
export interface ExecPolicy {
  /**
   * Allowed commands: a bare name (`node`) allows that name looked up on PATH; an entry with a
   * slash (`/usr/bin/make`, `./scripts/deploy.sh`) allows exactly that path; `"*"` allows every
   * command except the network tools. @default [] (nothing is allowed)
   */
  allow: string[];
  /** Where the list came from, quoted in refusals: `--exec-allow`, `mcp.exec.allow`, `exec.allow` or `default`. */
  source: string;
}

/** How to allow a command, quoted in every refusal. */
const HOW_TO_ALLOW =
  'add the command to mcp.exec.allow in coffer.yaml (for example `mcp: { exec: { allow: ["npm", "node"] } }`) or start coffer-mcp with --exec-allow npm,node, then restart the server';

/** Read a list of strings from a config value. @throws CofferError CONFIG */
function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || item.trim().length === 0)) {
    throw new CofferError("CONFIG", `${where} must be a list of command names`, { field: where });
  }
  return value.map((item: string) => item.trim());
}

/**
 * The exec policy in force: `--exec-allow` when given, else `mcp.exec.allow`, else `exec.allow`
 * from the config of the directory the server was launched in. Without any: deny everything.
 * @throws CofferError CONFIG when a configured list is malformed
 */
export function resolveExecPolicy(
  flag: string[] | undefined,
  config: { mcp?: Record<string, unknown>; exec?: Record<string, unknown> },
): ExecPolicy {
  if (flag !== undefined) return { allow: flag, source: "--exec-allow" };
  const mcpExec = config.mcp?.exec as Record<string, unknown> | undefined;
  if (mcpExec && mcpExec.allow !== undefined)
    return { allow: stringList(mcpExec.allow, "mcp.exec.allow"), source: "mcp.exec.allow" };
  const exec = config.exec;
  if (exec && exec.allow !== undefined) return { allow: stringList(exec.allow, "exec.allow"), source: "exec.allow" };
  return { allow: [], source: "default" };
}

/**
 * Check that a command may run. Nothing runs through a shell; the check applies to the program
 * itself (note that allowing a shell or an interpreter allows whatever it is told to run).
 * @throws CofferError INVALID_ARGUMENT for an empty or malformed command
 * @throws CofferError PERMISSION_DENIED when the policy does not allow it, saying how to allow it
 */
export function assertCommandAllowed(policy: ExecPolicy, command: string): void {
  if (command.trim().length === 0 || command.includes("\0") || /[\r\n]/.test(command)) {
    throw new CofferError("INVALID_ARGUMENT", "command must be a program name or path (arguments go in args)", {
      field: "command",
    });
  }
  if (/\s/.test(command) && !command.includes("/")) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `command ${quoteName(command)} contains spaces: pass the program in command and its arguments in args (no shell is used)`,
      {
        field: "command",
      },
    );
  }
  const hasPath = command.includes("/");
  const program = basename(command);
  const quoted = quoteName(command);
  const explicitly = policy.allow.some((entry) =>
    entry.includes("/") ? entry === command : !hasPath && entry === command,
  );
  if (explicitly) return;
  if ((NETWORK_TOOLS as readonly string[]).includes(program.toLowerCase())) {
    throw new CofferError(
      "PERMISSION_DENIED",
      `command ${quoted} is a network tool and is refused unless explicitly allowed by name (${policy.source})`,
      { field: "command", rule: "exec:network-tool", hint: HOW_TO_ALLOW },
    );
  }
  if (policy.allow.includes("*")) return;
  const reason = policy.allow.length === 0 ? "no commands are allowed for MCP agents" : `it is not in ${policy.source}`;
  throw new CofferError("PERMISSION_DENIED", `command ${quoted} is not allowed: ${reason}`, {
    field: "command",
    rule: `exec:${policy.source}`,
    hint: HOW_TO_ALLOW,
  });
}
