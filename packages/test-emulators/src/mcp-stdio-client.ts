import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

/** How to start an MCP server over stdio (a front end's built bin) for the real MCP client. */
export interface ConnectMcpStdioOptions {
  /** Script and arguments, run with this Node (`[bin, "--tools", "all"]`). */
  args: readonly string[];
  /** Working directory of the server. */
  cwd: string;
  /** The server's whole environment (nothing of the test process's own is added). */
  env: Record<string, string>;
  /** Name the client gives in its handshake. @default "coffer-test" */
  clientName?: string;
}

/** The real MCP SDK client, connected over stdio to a spawned server. */
export interface McpStdioConnection {
  /** The SDK client. */
  readonly client: Client;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Close the client, which ends the server process. */
  close(): Promise<void>;
}

/**
 * Spawn an MCP server over stdio with this Node and connect the SDK's own client to it: how the
 * MCP tests and the benchmarks talk to the built `coffer-mcp`.
 * @throws Error when the server does not complete the MCP handshake
 */
export async function connectMcpStdio(options: ConnectMcpStdioOptions): Promise<McpStdioConnection> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...options.args],
    cwd: options.cwd,
    env: options.env,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client({ name: options.clientName ?? "coffer-test", version: "0.0.0" });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}
