/**
 * `@coffer/reliability`: the harness of Coffer's reliability suite -- temp workspaces, tracked
 * processes, drivers for the built CLI, MCP server and REST server, the ack protocol of crash
 * tests, sentinel leak search (the fault-injecting proxy is `startFaultProxy` of `@coffer/test-emulators`). The scenarios live in `test/`.
 *
 * @example
 * const ws = createWorkspace("demo");
 * const r = await runCli(ws, ["set", "API_KEY"], { input: "sk-123" });
 * const hits = findSentinel("stdout", r.stdout, sentinelForms("sk-123"));
 */
export { ACK_PREFIX, ackLine, parseAcks } from "./acknowledged-writes.js";
export { type CliResult, envelopeData, type RunCliOptions, runCli } from "./cli-runner.js";
export { FRONT_END_BINS, type FrontEnd, frontEndAvailable, isBuilt } from "./front-end-bins.js";
export { type ConnectMcpOptions, connectMcp, type McpSession, type ToolOutcome } from "./mcp-session.js";
export { createApiToken, type RestResponse, type RestServer, startRestServer } from "./rest-server.js";
export { findSentinel, newSentinel, type SentinelForm, type SentinelHit, sentinelForms } from "./sentinel-search.js";
export { createWorkspace, type Workspace } from "./temp-workspace.js";
export {
  killAllTracked,
  liveProcessCount,
  type ProcessExit,
  runTracked,
  type StartTrackedOptions,
  startTracked,
  type TrackedProcess,
} from "./tracked-process.js";
export { Transcript, type TranscriptEntry } from "./transcript.js";
