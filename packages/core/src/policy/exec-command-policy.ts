import { basename } from "node:path";
import type { Accessor } from "../audit/types.js";
import { configError, expectKnownKeys, isMapping, optionalTextList } from "../config/config-checks.js";

/**
 * Network tools an agent could use to carry an injected secret elsewhere. They are refused even
 * under `allow: ["*"]`; only an allow entry naming the tool itself runs one.
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

/** Keys of an `exec` (or `mcp.exec`) section. */
export const EXEC_CONFIG_KEYS = ["allow", "deny"] as const;

/** The `exec` section: which commands `run`/`exec` may start with secrets injected. */
export interface ExecCommandConfig {
  /**
   * Commands allowed. A bare name (`npm`) allows that name looked up on PATH; an entry with a
   * slash allows exactly that path; `"*"` allows everything but the network tools.
   * @default unset: users run anything but network tools; agents and tokens run nothing
   */
  allow?: string[];
  /** Commands refused: a bare name refuses that program under any path; a path refuses that path. @default [] */
  deny?: string[];
}

/** The verdict on one command. */
export interface ExecCommandDecision {
  /** True when the command may run. */
  allowed: boolean;
  /** The rule that decided (audited with denials). */
  rule: string;
  /** Why it was refused. */
  reason?: string;
  /** How to allow it. */
  hint?: string;
}

/** One config layer as the exec policy reads it. */
export interface ExecPolicyLayer {
  /** Layer name quoted in rules: `user`, `project`, or a file name. */
  source: string;
  /** File the layer came from, quoted in CONFIG errors. @default source */
  file?: string;
  /** The layer's config (`exec`, and `mcp.exec` for the MCP front end). */
  config: { exec?: unknown; mcp?: unknown };
}

const HOW_TO_ALLOW =
  'allow it in coffer.yaml or config.yaml, for example `exec: { allow: ["npm", "node"] }` (MCP agents: `mcp: { exec: { allow: [...] } }`)';

/**
 * Validate an `exec` or `mcp.exec` section.
 * @throws CofferError CONFIG for unknown keys or entries that are not non-empty strings
 */
export function validateExecConfig(raw: unknown, source: string, path = "exec"): ExecCommandConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMapping(raw)) throw configError(source, path, "must be a mapping with allow and/or deny lists");
  expectKnownKeys(raw, EXEC_CONFIG_KEYS, source, path);
  const out: ExecCommandConfig = {};
  const allow = optionalTextList(raw.allow, source, `${path}.allow`, 1024);
  const deny = optionalTextList(raw.deny, source, `${path}.deny`, 1024);
  for (const [list, key] of [
    [allow, "allow"],
    [deny, "deny"],
  ] as const) {
    list?.forEach((entry, i) => {
      if (/[\u0000-\u001f]/.test(entry) || entry !== entry.trim()) {
        throw configError(
          source,
          `${path}.${key}[${i}]`,
          "must be a program name or path without surrounding spaces or control characters",
        );
      }
    });
  }
  if (deny?.includes("*")) throw configError(source, `${path}.deny`, 'cannot be "*": to run nothing, set allow: []');
  if (allow) out.allow = allow;
  if (deny) out.deny = deny;
  return out;
}

function programOf(command: string): string {
  return basename(command.replaceAll("\\", "/"))
    .toLowerCase()
    .replace(/\.(exe|cmd|bat)$/, "");
}

function entryMatches(entry: string, command: string, anyPath: boolean): boolean {
  if (entry.includes("/") || entry.includes("\\")) return entry === command;
  if (anyPath) return programOf(entry) === programOf(command);
  return !command.includes("/") && !command.includes("\\") && entry === command;
}

/** The section in force for an accessor in one layer: `mcp.exec` for MCP callers when set, else `exec`. */
function sectionOf(layer: ExecPolicyLayer, frontEnd: Accessor["frontEnd"]): { path: string; raw: unknown } {
  const mcp = layer.config.mcp;
  if (frontEnd === "mcp" && isMapping(mcp) && mcp.exec !== undefined) return { path: "mcp.exec", raw: mcp.exec };
  return { path: "exec", raw: layer.config.exec };
}

function decideOne(
  section: ExecCommandConfig | undefined,
  where: string,
  command: string,
  accessor: Pick<Accessor, "kind">,
): ExecCommandDecision {
  const quoted = JSON.stringify(command.length > 128 ? `${command.slice(0, 128)}…` : command);
  if (section?.deny?.some((entry) => entryMatches(entry, command, true))) {
    return { allowed: false, rule: `${where}.deny`, reason: `command ${quoted} is refused by ${where}.deny` };
  }
  const explicit = section?.allow?.some((entry) => entry !== "*" && entryMatches(entry, command, false));
  if (explicit) return { allowed: true, rule: `${where}.allow` };
  if ((NETWORK_TOOLS as readonly string[]).includes(programOf(command))) {
    return {
      allowed: false,
      rule: "exec:network-tool",
      reason: `command ${quoted} is a network tool and runs with secrets only when an allow list names it explicitly`,
      hint: HOW_TO_ALLOW,
    };
  }
  if (section?.allow !== undefined) {
    if (section.allow.includes("*")) return { allowed: true, rule: `${where}.allow` };
    return {
      allowed: false,
      rule: `${where}.allow`,
      reason: `command ${quoted} is not in ${where}.allow`,
      hint: HOW_TO_ALLOW,
    };
  }
  if (accessor.kind === "user") return { allowed: true, rule: "exec:default-user" };
  return {
    allowed: false,
    rule: "exec:default-agent",
    reason: `no exec allow list is configured, so ${accessor.kind}s may not run commands with secrets`,
    hint: HOW_TO_ALLOW,
  };
}

/** A compiled exec policy over config layers. */
export type ExecPolicy = (
  command: string | undefined,
  accessor: Pick<Accessor, "kind" | "frontEnd">,
) => ExecCommandDecision;

/**
 * Compile the exec policy of several config layers (user config, project config). Every layer
 * that configures the section in force must allow the command (a project may narrow, never
 * widen, what the user config allows); when no layer configures it, the defaults apply:
 * users may run anything but the network tools, agents and tokens nothing.
 * @throws CofferError CONFIG when a layer's `exec` or `mcp.exec` section is malformed
 */
export function compileExecPolicy(layers: ExecPolicyLayer[]): ExecPolicy {
  const compiled = layers.map((layer) => {
    const mcp = layer.config.mcp;
    const file = layer.file ?? layer.source;
    const mcpExec = isMapping(mcp) ? validateExecConfig(mcp.exec, file, "mcp.exec") : undefined;
    return { layer, exec: validateExecConfig(layer.config.exec, file, "exec"), mcpExec };
  });
  return (command, accessor) => {
    if (command === undefined) {
      if (accessor.kind === "user") return { allowed: true, rule: "exec:no-command" };
      return {
        allowed: false,
        rule: "exec:no-command",
        reason: `an ${accessor.kind} must name the command it runs with secrets`,
      };
    }
    if (typeof command !== "string" || command.trim() === "" || /[\u0000\r\n]/.test(command)) {
      return { allowed: false, rule: "exec:invalid-command", reason: "the command must be a program name or path" };
    }
    let decided: ExecCommandDecision | undefined;
    for (const c of compiled) {
      const { path } = sectionOf(c.layer, accessor.frontEnd);
      const section = path === "mcp.exec" ? c.mcpExec : c.exec;
      if (section === undefined) continue;
      const d = decideOne(section, `${c.layer.source}:${path}`, command, accessor);
      if (!d.allowed) return d;
      decided = d;
    }
    return decided ?? decideOne(undefined, "exec", command, accessor);
  };
}

/**
 * Whether a command may run with secrets under one config's `exec` section (`mcp.exec` for
 * accessors calling through MCP). Without an accessor the stricter agent defaults apply.
 * @throws CofferError CONFIG when the section is malformed
 */
export function execCommandAllowed(
  config: { exec?: unknown; mcp?: unknown },
  command: string | undefined,
  accessor: Pick<Accessor, "kind" | "frontEnd"> = { kind: "agent", frontEnd: "library" },
): ExecCommandDecision {
  return compileExecPolicy([{ source: "config", config }])(command, accessor);
}
