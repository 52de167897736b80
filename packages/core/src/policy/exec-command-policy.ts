import type { Accessor } from "../audit/types.js";
import { configError, expectKnownKeys, isMapping, optionalTextList } from "../config/config-checks.js";
import { programName, resolveLaunchers } from "./exec-launchers.js";

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

/**
 * Why the exec lists refused a command:
 * - `deny-list`: a `deny` entry names the program;
 * - `not-allowed`: an `allow` list is configured and does not name the program;
 * - `network-tool`: a network tool no allow list names explicitly;
 * - `agent-default`: no list is configured and the caller is an agent or a token;
 * - `unresolved-launcher`: a launcher whose program Coffer cannot determine (`sh -c` strings,
 *   `watch` without `-x`, an unknown option...), not named explicitly by an allow list;
 * - `no-command`: an agent or token did not name its command;
 * - `invalid-command`: the command is empty or holds control characters.
 */
export type ExecDenialKind =
  | "deny-list"
  | "not-allowed"
  | "network-tool"
  | "agent-default"
  | "unresolved-launcher"
  | "no-command"
  | "invalid-command";

/** Structured reason of an exec-list refusal, returned in the error's `details.exec`. */
export interface ExecDenial {
  /** Why. */
  kind: ExecDenialKind;
  /** The program refused: the command, or a program a launcher starts (`node` in `env node -e ...`). */
  program?: string;
  /** The launchers in front of it, outermost first (`["env"]`). Empty when the command itself was refused. */
  launchers: string[];
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
  /** What was refused, for front ends (set on every refusal). */
  denial?: ExecDenial;
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

function entryMatches(entry: string, command: string, anyPath: boolean): boolean {
  if (entry.includes("/") || entry.includes("\\")) return entry === command;
  if (anyPath) return programName(entry) === programName(command);
  return !command.includes("/") && !command.includes("\\") && entry === command;
}

/** The section in force for an accessor in one layer: `mcp.exec` for MCP callers when set, else `exec`. */
function sectionOf(layer: ExecPolicyLayer, frontEnd: Accessor["frontEnd"]): { path: string; raw: unknown } {
  const mcp = layer.config.mcp;
  if (frontEnd === "mcp" && isMapping(mcp) && mcp.exec !== undefined) return { path: "mcp.exec", raw: mcp.exec };
  return { path: "exec", raw: layer.config.exec };
}

function quote(command: string): string {
  return JSON.stringify(command.length > 128 ? `${command.slice(0, 128)}…` : command);
}

/** `command "node" (started by env)`: how a refused program is named in reasons. */
function describeProgram(program: string, launchers: readonly string[]): string {
  if (launchers.length === 0) return `command ${quote(program)}`;
  return `command ${quote(program)} (started by ${launchers.map(quote).join(" via ")})`;
}

function decideOne(
  section: ExecCommandConfig | undefined,
  where: string,
  command: string,
  accessor: Pick<Accessor, "kind">,
  launchers: readonly string[] = [],
): ExecCommandDecision {
  const named = describeProgram(command, launchers);
  const denial = (kind: ExecDenialKind): ExecDenial => ({ kind, program: command, launchers: [...launchers] });
  if (section?.deny?.some((entry) => entryMatches(entry, command, true))) {
    return {
      allowed: false,
      rule: `${where}.deny`,
      reason: `${named} is refused by ${where}.deny`,
      denial: denial("deny-list"),
    };
  }
  const explicit = section?.allow?.some((entry) => entry !== "*" && entryMatches(entry, command, false));
  if (explicit) return { allowed: true, rule: `${where}.allow` };
  if ((NETWORK_TOOLS as readonly string[]).includes(programName(command))) {
    return {
      allowed: false,
      rule: "exec:network-tool",
      reason: `${named} is a network tool and runs with secrets only when an allow list names it explicitly`,
      hint: HOW_TO_ALLOW,
      denial: denial("network-tool"),
    };
  }
  if (section?.allow !== undefined) {
    if (section.allow.includes("*")) return { allowed: true, rule: `${where}.allow` };
    return {
      allowed: false,
      rule: `${where}.allow`,
      reason: `${named} is not in ${where}.allow`,
      hint: HOW_TO_ALLOW,
      denial: denial("not-allowed"),
    };
  }
  if (accessor.kind === "user") return { allowed: true, rule: "exec:default-user" };
  return {
    allowed: false,
    rule: "exec:default-agent",
    reason: `no exec allow list is configured, so ${accessor.kind}s may not run commands with secrets`,
    hint: HOW_TO_ALLOW,
    denial: denial("agent-default"),
  };
}

/** A compiled exec policy over config layers: the verdict on a command and its arguments. */
export type ExecPolicy = (
  command: string | undefined,
  accessor: Pick<Accessor, "kind" | "frontEnd">,
  args?: readonly string[],
) => ExecCommandDecision;

/**
 * Compile the exec policy of several config layers (user config, project config). Every layer
 * that configures the section in force must allow the command (a project may narrow, never
 * widen, what the user config allows); when no layer configures it, the defaults apply:
 * users may run anything but the network tools, agents and tokens nothing.
 *
 * With the arguments, launchers are followed (see `resolveLaunchers`): every program the
 * command line starts (`env`, then `node` in `env node -e ...`) must be allowed, and a launcher
 * whose program cannot be determined runs only when every list in force names it explicitly.
 * @throws CofferError CONFIG when a layer's `exec` or `mcp.exec` section is malformed
 */
export function compileExecPolicy(layers: ExecPolicyLayer[]): ExecPolicy {
  const compiled = layers.map((layer) => {
    const mcp = layer.config.mcp;
    const file = layer.file ?? layer.source;
    const mcpExec = isMapping(mcp) ? validateExecConfig(mcp.exec, file, "mcp.exec") : undefined;
    return { layer, exec: validateExecConfig(layer.config.exec, file, "exec"), mcpExec };
  });
  return (command, accessor, args = []) => {
    if (command === undefined) {
      if (accessor.kind === "user") return { allowed: true, rule: "exec:no-command" };
      return {
        allowed: false,
        rule: "exec:no-command",
        reason: `an ${accessor.kind} must name the command it runs with secrets`,
        denial: { kind: "no-command", launchers: [] },
      };
    }
    if (typeof command !== "string" || command.trim() === "" || /[\u0000\r\n]/.test(command)) {
      return {
        allowed: false,
        rule: "exec:invalid-command",
        reason: "the command must be a program name or path",
        denial: { kind: "invalid-command", launchers: [] },
      };
    }
    const sections: Array<{ section: ExecCommandConfig; where: string }> = [];
    for (const c of compiled) {
      const { path } = sectionOf(c.layer, accessor.frontEnd);
      const section = path === "mcp.exec" ? c.mcpExec : c.exec;
      if (section !== undefined) sections.push({ section, where: `${c.layer.source}:${path}` });
    }
    const chain = resolveLaunchers(command, Array.isArray(args) ? args : []);
    let decided: ExecCommandDecision | undefined;
    for (const [index, program] of chain.programs.entries()) {
      const launchers = chain.programs.slice(0, index);
      if (sections.length === 0) {
        const d = decideOne(undefined, "exec", program, accessor, launchers);
        if (!d.allowed) return d;
        decided = d;
      }
      for (const { section, where } of sections) {
        const d = decideOne(section, where, program, accessor, launchers);
        if (!d.allowed) return d;
        decided = d;
      }
    }
    const unresolved = chain.unresolved;
    if (unresolved) {
      const { launcher, reason } = unresolved;
      const named =
        sections.length > 0 &&
        sections.every(({ section }) => section.allow?.some((e) => e !== "*" && entryMatches(e, launcher, false)));
      if (!named) {
        return {
          allowed: false,
          rule: "exec:unresolved-launcher",
          reason: `${describeProgram(launcher, chain.programs.slice(0, -1))} starts another program Coffer cannot determine (${reason}), so it may not run with secrets`,
          hint: `pass the program itself as the command, or name ${quote(programName(launcher))} explicitly in the allow list to let it run anything`,
          denial: { kind: "unresolved-launcher", program: launcher, launchers: chain.programs.slice(0, -1) },
        };
      }
    }
    return decided!;
  };
}

/**
 * Whether a command may run with secrets under one config's `exec` section (`mcp.exec` for
 * accessors calling through MCP), launchers in `args` followed. Without an accessor the
 * stricter agent defaults apply.
 * @throws CofferError CONFIG when the section is malformed
 */
export function execCommandAllowed(
  config: { exec?: unknown; mcp?: unknown },
  command: string | undefined,
  accessor: Pick<Accessor, "kind" | "frontEnd"> = { kind: "agent", frontEnd: "library" },
  args: readonly string[] = [],
): ExecCommandDecision {
  return compileExecPolicy([{ source: "config", config }])(command, accessor, args);
}
