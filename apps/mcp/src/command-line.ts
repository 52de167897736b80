import { parseArgs } from "node:util";
import { CofferError, NUMERIC_RANGES, parseNumericInput, validateAgentId } from "@coffer/core";
import { LOG_LEVELS, type LogLevel } from "./stderr-log.js";

/** Agent id used when neither `--agent-id` nor `COFFER_AGENT_ID` is given. */
export const DEFAULT_AGENT_ID = "mcp-agent";
/** Default Streamable HTTP port. */
export const DEFAULT_HTTP_PORT = 7711;
/** Default Streamable HTTP bind address. */
export const DEFAULT_HTTP_HOST = "127.0.0.1";

/** Agent ids: what the core accepts (letters, digits, `_ . @ : -`, up to 128 characters). */

/** Options of `coffer-mcp` (serve mode). Unset fields fall back to env, config, defaults. */
export interface ServeOptions {
  /** Agent id (`--agent-id`). */
  agentId?: string;
  /** Tool selection (`--tools`). */
  tools?: string;
  /** Serve Streamable HTTP instead of stdio (`--http`). */
  http: boolean;
  /** HTTP port (`--port`). */
  port?: number;
  /** HTTP bind address (`--host`). */
  host?: string;
  /** Exec allow list (`--exec-allow`): one more list every command must pass, besides config's. */
  execAllow?: string[];
  /** Log level (`--log-level`). */
  logLevel?: LogLevel;
}

/** What the command line asks for. */
export type CommandLine =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "token"; agentId: string }
  | { kind: "serve"; options: ServeOptions };

/** `--help` text. */
export const HELP_TEXT = `coffer-mcp: the Coffer MCP server. Lets AI agents use secrets without seeing them.

Usage:
  coffer-mcp [options]                 serve MCP over stdio (default)
  coffer-mcp --http [options]          serve MCP over Streamable HTTP at http://HOST:PORT/mcp
  coffer-mcp token --agent-id ID       mint a bearer token for --http (prints token and config entry)

Transports:
  --http                 Streamable HTTP instead of stdio; every request needs a bearer token
  --port <n>             HTTP port (default ${DEFAULT_HTTP_PORT}, or mcp.http.port)
  --host <addr>          HTTP bind address (default ${DEFAULT_HTTP_HOST}, or mcp.http.host)

Identity:
  --agent-id <id>        agent id for stdio; every call is audited as this agent and checked
                         against allowedAgentIds (env COFFER_AGENT_ID; default "${DEFAULT_AGENT_ID}")
                         Over HTTP the identity comes from the bearer token: config
                         mcp.http.tokens [{ agentId, tokenSha256 }] or env
                         COFFER_MCP_TOKENS="agent-id:sha256hex,..."

Tools:
  --tools <list>         all (default), core, or a comma list of tool names and groups,
                         e.g. core,audit_log (or config mcp.tools)
                         core = set_secret get_secret list_secrets has_secret inspect_secret
                                delete_secret restore_secret rotate_secret generate_secret
                                exec_with_secrets

Policy:
  --exec-allow <list>    commands exec_with_secrets may run, e.g. npm,node; "*" = any except
                         network tools. One more allow list: a command must also pass
                         mcp.exec / exec of config.yaml and coffer.yaml when they set one.
                         Without any list, agents run nothing.
  Policy and config come from the directory coffer-mcp is started in (coffer.yaml) and the
  user config in COFFER_HOME, never from arguments an agent passes. The core's policy engine
  decides every call (exec lists, accessControl, approvals); refusals are audited.

Other:
  --log-level <level>    error, warn, info (default) or debug; logs go to stderr only
  -v, --version          print the version
  -h, --help             print this help

Docs: docs/mcp.md
`;

/** Parse a TCP port (core's `port` range). @throws CofferError INVALID_ARGUMENT */
export function parsePort(text: string, where: string): number {
  return parseNumericInput(NUMERIC_RANGES.port, text, where);
}

const OPTION_SPEC = {
  "agent-id": { type: "string" },
  tools: { type: "string" },
  http: { type: "boolean" },
  port: { type: "string" },
  host: { type: "string" },
  "exec-allow": { type: "string" },
  "log-level": { type: "string" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

function readArgs(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTION_SPEC });
}

/** Parse `coffer-mcp` arguments. @throws CofferError INVALID_ARGUMENT for unknown or malformed options */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed: ReturnType<typeof readArgs>;
  try {
    parsed = readArgs(argv);
  } catch (err) {
    const message = err instanceof Error ? (err.message.split("\n")[0] ?? "invalid arguments") : "invalid arguments";
    throw new CofferError("INVALID_ARGUMENT", `${message} (see coffer-mcp --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  if (positionals.length > 0) {
    if (positionals[0] === "token" && positionals.length === 1) {
      if (values["agent-id"] === undefined)
        throw new CofferError("INVALID_ARGUMENT", "coffer-mcp token needs --agent-id <id>");
      return { kind: "token", agentId: validateAgentId(values["agent-id"], "--agent-id") };
    }
    throw new CofferError(
      "INVALID_ARGUMENT",
      `unexpected argument ${JSON.stringify(positionals[0])} (see coffer-mcp --help)`,
    );
  }
  const options: ServeOptions = { http: values.http === true };
  if (values["agent-id"] !== undefined) options.agentId = validateAgentId(values["agent-id"], "--agent-id");
  if (values.tools !== undefined) options.tools = values.tools;
  if (values.port !== undefined) options.port = parsePort(values.port, "--port");
  if (values.host !== undefined) {
    if (values.host.trim().length === 0) throw new CofferError("INVALID_ARGUMENT", "--host must not be empty");
    options.host = values.host;
  }
  if ((values.port !== undefined || values.host !== undefined) && !options.http) {
    throw new CofferError("INVALID_ARGUMENT", "--port and --host apply only with --http");
  }
  if (values["exec-allow"] !== undefined) {
    options.execAllow = values["exec-allow"]
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
  if (values["log-level"] !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(values["log-level"])) {
      throw new CofferError("INVALID_ARGUMENT", `--log-level must be one of ${LOG_LEVELS.join(", ")}`);
    }
    options.logLevel = values["log-level"] as LogLevel;
  }
  return { kind: "serve", options };
}
