export { type CommandLine, DEFAULT_AGENT_ID, HELP_TEXT, parseCommandLine, type ServeOptions } from "./command-line.js";
export { type HttpMcpServerOptions, type RunningHttpMcpServer, startHttpMcpServer } from "./http-server.js";
export {
  createTokenAuthenticator,
  type HttpTokenEntry,
  hashToken,
  loadHttpTokens,
  mintHttpToken,
} from "./http-tokens.js";
export { createCofferMcpServer, type ServerIdentity } from "./mcp-server.js";
export { createStderrLog, type StderrLog } from "./stderr-log.js";
export type { ToolContext, ToolDefinition } from "./tool-definition.js";
export { MCP_ERROR_TABLE, toolErrorResult } from "./tool-errors.js";
export { ALL_TOOL_NAMES, CORE_TOOL_NAMES, selectTools, type ToolName } from "./tool-selection.js";
