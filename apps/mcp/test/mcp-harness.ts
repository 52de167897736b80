import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectMcpStdio, startListeningProcess } from "@coffer/test-emulators";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/** The built bin under test. */
export const BIN = fileURLToPath(new URL("../dist/coffer-mcp.js", import.meta.url));

/** A temp COFFER_HOME and a temp project directory (the server's cwd). */
export interface Workspace {
  home: string;
  cwd: string;
  cleanup(): void;
}

/** Create an isolated workspace; `coffer.yaml` text goes into the project directory. */
export function makeWorkspace(cofferYaml?: string): Workspace {
  const root = mkdtempSync(join(tmpdir(), "coffer-mcp-test-"));
  const home = join(root, "home");
  const cwd = join(root, "project");
  for (const dir of [home, cwd]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (cofferYaml !== undefined) writeFileSync(join(cwd, "coffer.yaml"), cofferYaml, { mode: 0o600 });
  return { home, cwd, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The environment a spawned server gets: nothing of the real user's Coffer setup. */
export function serverEnv(ws: Workspace, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: ws.home,
    COFFER_HOME: ws.home,
    ...extra,
  };
}

/** One tool call as the test saw it. */
export interface CallRecord {
  tool: string;
  args: Record<string, unknown>;
  text: string;
  isError: boolean;
}

/** A connected MCP client plus helpers. */
export interface Connection {
  client: Client;
  call(tool: string, args?: Record<string, unknown>): Promise<CallRecord>;
  stderr(): string;
  close(): Promise<void>;
}

/** Every call made in this test process, to search for leaked values. */
export const transcript: CallRecord[] = [];

function textOf(result: Awaited<ReturnType<Client["callTool"]>>): string {
  const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
  return content.map((c) => (c.type === "text" ? (c.text ?? "") : JSON.stringify(c))).join("\n");
}

function wrap(client: Client, stderr: () => string, close: () => Promise<void>): Connection {
  return {
    client,
    stderr,
    close,
    async call(tool, args = {}) {
      const result = await client.callTool({ name: tool, arguments: args });
      const record = { tool, args, text: textOf(result), isError: result.isError === true };
      transcript.push(record);
      return record;
    },
  };
}

/** Spawn the built server over stdio with the real MCP client. */
export async function connectStdio(
  ws: Workspace,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<Connection> {
  const { client, stderr, close } = await connectMcpStdio({
    args: [BIN, ...args],
    cwd: ws.cwd,
    env: serverEnv(ws, env),
    clientName: "coffer-mcp-test",
  });
  return wrap(client, stderr, close);
}

/** A server started with `--http`, and the URL it listens on. */
export interface HttpServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote (stderr and stdout). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Spawn the built server with `--http --port 0` and wait until it listens. */
export async function startHttpServer(
  ws: Workspace,
  args: string[],
  env: Record<string, string>,
): Promise<HttpServerProcess> {
  const server = await startListeningProcess({
    args: [BIN, "--http", "--port", "0", ...args],
    cwd: ws.cwd,
    env: serverEnv(ws, env),
    urlPattern: /listening on (http:\/\/\S+)/,
    timeoutMs: 20_000,
  });
  return { url: server.url, child: server.child, stderr: server.output, stop: server.stop };
}

/** Connect the real MCP client over Streamable HTTP with a bearer token. */
export async function connectHttp(url: string, token: string | undefined): Promise<Connection> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: "coffer-mcp-http-test", version: "0.0.0" });
  await client.connect(transport);
  return wrap(
    client,
    () => "",
    () => client.close(),
  );
}
