import { type Accessor, CofferError, isCofferError, validateAgentId } from "@coffer/core";
import { openCoffer } from "@coffer/runtime";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  DEFAULT_AGENT_ID,
  DEFAULT_HTTP_HOST,
  DEFAULT_HTTP_PORT,
  HELP_TEXT,
  parseCommandLine,
  parsePort,
  type ServeOptions,
} from "./command-line.js";
import { startHttpMcpServer } from "./http-server.js";
import { createTokenAuthenticator, loadHttpTokens, mintHttpToken } from "./http-tokens.js";
import { createCofferMcpServer } from "./mcp-server.js";
import { createStderrLog, type StderrLog } from "./stderr-log.js";
import { selectTools } from "./tool-selection.js";
import { SERVER_VERSION } from "./version.js";

/** Exit status for usage errors (bad options). */
const EXIT_USAGE = 2;
/** Exit status for failures to start (config, store). */
const EXIT_FAILURE = 1;

/** The accessor of an agent calling through MCP. */
function agentAccessor(agentId: string): Accessor {
  return { id: agentId, kind: "agent", frontEnd: "mcp" };
}

/** Serve until the client goes away or a signal arrives. */
async function serve(options: ServeOptions, log: StderrLog): Promise<void> {
  // stdout carries the protocol: whatever a dependency prints goes to stderr instead.
  console.log = console.info = console.debug = console.error;
  const cwd = process.cwd();
  const envAgent = process.env.COFFER_AGENT_ID;
  const agentId = options.agentId ?? (envAgent ? validateAgentId(envAgent, "COFFER_AGENT_ID") : DEFAULT_AGENT_ID);
  // One service for the whole process: opened once, here, never per call.
  // Policy (exec lists with --exec-allow, accessControl, approvals) is decided by the core's
  // policy engine for every call; this front end makes no policy decision of its own.
  const opened = await openCoffer({
    cwd,
    accessor: agentAccessor(options.http ? "coffer-mcp" : agentId),
    ...(options.execAllow !== undefined ? { execAllow: options.execAllow } : {}),
  });
  const { coffer, loaded, approvals, hooks } = opened;
  const governance = { ...(approvals ? { approvals } : {}), ...(hooks ? { hooks } : {}) };
  const mcpConfig = loaded.config.mcp;
  const tools = selectTools(options.tools ?? (mcpConfig?.tools as string | string[] | undefined));
  const execNote = options.execAllow !== undefined ? `, --exec-allow ${options.execAllow.join(",") || "(none)"}` : "";
  const identity = { name: "coffer-mcp", version: SERVER_VERSION };

  let stopping = false;
  const stopHandlers: Array<() => Promise<void>> = [];
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`stopping (${why})`);
    for (const handler of stopHandlers) await handler().catch(() => {});
    await coffer.dispose().catch(() => {});
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));

  if (options.http) {
    const http = (mcpConfig?.http ?? {}) as Record<string, unknown>;
    const tokens = loadHttpTokens(mcpConfig, process.env.COFFER_MCP_TOKENS);
    if (tokens.length === 0) {
      throw new CofferError(
        "CONFIG",
        "--http needs at least one bearer token: add mcp.http.tokens [{ agentId, tokenSha256 }] to coffer.yaml or set COFFER_MCP_TOKENS (mint one with: coffer-mcp token --agent-id <id>)",
      );
    }
    const port =
      options.port ?? (http.port !== undefined ? parsePort(String(http.port), "mcp.http.port") : DEFAULT_HTTP_PORT);
    const host = options.host ?? (typeof http.host === "string" ? http.host : DEFAULT_HTTP_HOST);
    const contexts = new Map<string, ReturnType<typeof coffer.withAccessor>>();
    const running = await startHttpMcpServer({
      host,
      port,
      log,
      authenticate: createTokenAuthenticator(tokens),
      createServerFor: (id) => {
        let handle = contexts.get(id);
        if (!handle) {
          handle = coffer.withAccessor(agentAccessor(id));
          contexts.set(id, handle);
        }
        return createCofferMcpServer(identity, tools, { coffer: handle, agentId: id, cwd, ...governance }, log);
      },
    });
    stopHandlers.push(() => running.close());
    log.info(
      `listening on ${running.url} (${tokens.length} token${tokens.length === 1 ? "" : "s"}, ${tools.length} tools${execNote})`,
    );
    return;
  }

  const server = createCofferMcpServer(identity, tools, { coffer, agentId, cwd, ...governance }, log);
  const transport = new StdioServerTransport();
  transport.onclose = () => void stop("transport closed");
  process.stdin.once("end", () => void stop("stdin closed"));
  await server.connect(transport);
  log.info(`ready on stdio as agent ${agentId} (${tools.length} tools${execNote})`);
}

async function main(argv: readonly string[]): Promise<void> {
  let command: ReturnType<typeof parseCommandLine>;
  try {
    command = parseCommandLine(argv);
  } catch (err) {
    process.stderr.write(`coffer-mcp: ${isCofferError(err) ? `${err.code}: ${err.message}` : "invalid arguments"}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  switch (command.kind) {
    case "help":
      process.stdout.write(HELP_TEXT);
      return;
    case "version":
      process.stdout.write(`${SERVER_VERSION}\n`);
      return;
    case "token": {
      const { token, tokenSha256 } = mintHttpToken();
      process.stdout.write(`${token}\n`);
      process.stderr.write(
        `Give the token (first line of stdout) to the client as "Authorization: Bearer <token>" and add this entry to coffer.yaml:\n` +
          `mcp:\n  http:\n    tokens:\n      - agentId: ${command.agentId}\n        tokenSha256: ${tokenSha256}\n` +
          `or set COFFER_MCP_TOKENS=${command.agentId}:${tokenSha256}\n`,
      );
      return;
    }
    case "serve": {
      const log = createStderrLog(command.options.logLevel ?? "info");
      try {
        await serve(command.options, log);
      } catch (err) {
        const coffer = isCofferError(err) ? err : undefined;
        log.error(coffer ? `${coffer.code}: ${coffer.message}` : "failed to start (unexpected internal error)");
        process.exit(coffer?.code === "INVALID_ARGUMENT" ? EXIT_USAGE : EXIT_FAILURE);
      }
    }
  }
}

await main(process.argv.slice(2));
