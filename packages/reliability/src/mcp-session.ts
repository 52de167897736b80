import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { FRONT_END_BINS } from "./front-end-bins.js";
import type { Workspace } from "./temp-workspace.js";
import type { Transcript } from "./transcript.js";

/** A tool call's outcome as an agent sees it. */
export interface ToolOutcome {
  /** The text content. */
  text: string;
  /** True when the server flagged an error result. */
  isError: boolean;
}

/** A connected MCP client over stdio to the built coffer-mcp. */
export interface McpSession {
  /** Call a tool. Protocol errors (invalid arguments rejected by the SDK) come back as isError results. */
  call(tool: string, args?: Record<string, unknown>, options?: { reveal?: boolean }): Promise<ToolOutcome>;
  /** MCP ping: true when the server still answers. */
  alive(): Promise<boolean>;
  /** The names of the tools the server lists. */
  tools(): Promise<string[]>;
  /** Everything the server wrote to stderr. */
  stderr(): string;
  /** Close the client and the server process. */
  close(): Promise<void>;
}

/** Options of {@link connectMcp}. */
export interface ConnectMcpOptions {
  /** Extra server arguments (`--tools all`). */
  args?: string[];
  /** Extra environment. */
  env?: Record<string, string>;
  /** Record every result and the server's stderr here. */
  transcript?: Transcript;
}

function textOf(result: object): string {
  const content = ((result as { content?: unknown }).content ?? []) as Array<{ type: string; text?: string }>;
  return content.map((c) => (c.type === "text" ? (c.text ?? "") : JSON.stringify(c))).join("\n");
}

/** Spawn the built coffer-mcp in a workspace and connect the SDK client to it. */
export async function connectMcp(ws: Workspace, options: ConnectMcpOptions = {}): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [FRONT_END_BINS.mcp, ...(options.args ?? [])],
    cwd: ws.project,
    env: ws.env(options.env),
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client({ name: "coffer-reliability", version: "0.0.0" });
  await client.connect(transport);
  const transcript = options.transcript;
  return {
    async call(tool, args = {}, callOptions = {}) {
      let outcome: ToolOutcome;
      try {
        const result = await client.callTool({ name: tool, arguments: args });
        outcome = { text: textOf(result), isError: (result as { isError?: unknown }).isError === true };
      } catch (err) {
        // The SDK raises protocol-level errors (schema validation) as exceptions.
        outcome = { text: err instanceof Error ? err.message : String(err), isError: true };
      }
      transcript?.add(`mcp ${tool}`, outcome.text, callOptions.reveal);
      return outcome;
    },
    async alive() {
      try {
        await client.ping();
        return true;
      } catch {
        return false;
      }
    },
    async tools() {
      return (await client.listTools()).tools.map((t) => t.name);
    },
    stderr: () => stderr,
    async close() {
      await client.close();
      transcript?.add("mcp server stderr", stderr);
    },
  };
}
