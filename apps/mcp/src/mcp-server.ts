import { quoteName } from "@coffer/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import * as z from "zod";
import type { StderrLog } from "./stderr-log.js";
import type { ToolContext, ToolDefinition } from "./tool-definition.js";
import { codedErrorResult, toolErrorResult, validationErrorResult } from "./tool-errors.js";
import type { ToolName } from "./tool-selection.js";
import { TOOL_DEFINITIONS } from "./tools/index.js";

/** Name and version the server reports in `initialize`. */
export interface ServerIdentity {
  /** Server name. @default "coffer-mcp" */
  name: string;
  /** Package version. */
  version: string;
}

/** Instructions sent to the client at initialization (shown to the model by most clients). */
const INSTRUCTIONS =
  "Coffer keeps secrets out of your context. Prefer metadata (list_secrets, inspect_secret, has_secret), masked previews (get_secret), " +
  "and exec_with_secrets to use a secret in a command without seeing it. Reveal a value (get_secret or vault_secret get with reveal: true) only when strictly needed, with a truthful purpose: it is audited. " +
  "Errors start with a code such as NOT_FOUND or PERMISSION_DENIED. APPROVAL_REQUIRED means a human must approve the request id it names; you cannot approve it: tell the user, and check approval_status before trying again.";

/**
 * Build an MCP server exposing the selected tools, acting for one agent (`context`). Arguments
 * are validated here so that every failure (schema, Coffer error, anything else) comes back as a
 * clean `isError` result starting with an error code, and nothing else runs for a bad call.
 */
export function createCofferMcpServer(
  identity: ServerIdentity,
  tools: readonly ToolName[],
  context: ToolContext,
  log: StderrLog,
): McpServer {
  const server = new McpServer(
    { name: identity.name, version: identity.version },
    { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS },
  );
  const exposed = new Map<string, { definition: ToolDefinition; schema: z.ZodObject }>();
  for (const name of tools) {
    const definition = TOOL_DEFINITIONS[name];
    const schema = z.strictObject(definition.input);
    exposed.set(name, { definition, schema });
    server.registerTool(
      name,
      {
        title: definition.title,
        description: definition.description,
        inputSchema: schema,
        annotations: definition.annotations,
      },
      async (args: unknown) => runTool(definition, schema, args, context, log),
    );
  }
  // Replace the SDK's tools/call handler: its validation errors come back as protocol-flavoured
  // text ("MCP error -32602: ..."); ours say `INVALID_ARGUMENT: ...` and name the fields.
  server.server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = exposed.get(request.params.name);
    if (!tool) {
      return codedErrorResult(
        "NOT_FOUND",
        `tool ${quoteName(request.params.name)} is not exposed by this server (see tools/list)`,
      );
    }
    return runTool(tool.definition, tool.schema, request.params.arguments ?? {}, context, log);
  });
  return server;
}

/** Validate, run, and turn the outcome into a tool result. Never throws. */
async function runTool(
  definition: ToolDefinition,
  schema: z.ZodObject,
  args: unknown,
  context: ToolContext,
  log: StderrLog,
): Promise<CallToolResult> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    log.debug(`${definition.name}: invalid arguments`);
    return validationErrorResult(definition.name, parsed.error, args);
  }
  const started = performance.now();
  try {
    const text = await definition.run(parsed.data as never, context);
    log.debug(`${definition.name}: ok in ${(performance.now() - started).toFixed(1)} ms`);
    return { content: [{ type: "text", text }] };
  } catch (err) {
    const result = toolErrorResult(err);
    const code = result.content[0]?.type === "text" ? result.content[0].text.split(":", 1)[0] : "?";
    if (code === "INTERNAL")
      log.error(`${definition.name}: internal error (${err instanceof Error ? err.name : typeof err})`);
    else log.debug(`${definition.name}: ${code}`);
    return result;
  }
}
