import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { StderrLog } from "./stderr-log.js";

/** Largest request body accepted, bytes (a 64 KiB value JSON-escaped fits with room to spare). */
const MAX_BODY_BYTES = 1024 * 1024;
/** Sessions idle longer than this are closed, ms. */
const SESSION_IDLE_MS = 30 * 60 * 1000;
/** Most concurrent sessions. */
const MAX_SESSIONS = 256;

/** Options of {@link startHttpMcpServer}. */
export interface HttpMcpServerOptions {
  /** Bind address. */
  host: string;
  /** Port (0: any free port). */
  port: number;
  /** Agent id of a valid `Authorization` header, else undefined. */
  authenticate(authorization: string | undefined): string | undefined;
  /** A fresh MCP server acting for one agent (one per session). */
  createServerFor(agentId: string): McpServer;
  /** Log. */
  log: StderrLog;
}

/** A running Streamable HTTP endpoint. */
export interface RunningHttpMcpServer {
  /** Endpoint URL, `http://127.0.0.1:7711/mcp`. */
  url: string;
  /** Close every session and stop listening. */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  agentId: string;
  lastSeen: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** A JSON-RPC error body (what MCP clients expect on 4xx). */
function rpcError(message: string, code = -32000): unknown {
  return { jsonrpc: "2.0", error: { code, message }, id: null };
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1).toLowerCase();
  return (hostHeader.split(":")[0] ?? "").toLowerCase();
}

async function readBody(
  req: IncomingMessage,
): Promise<{ ok: true; body: unknown } | { ok: false; status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      return { ok: false, status: 413, message: `request body exceeds ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch {
    return { ok: false, status: 400, message: "Parse error: body is not valid JSON" };
  }
}

/**
 * Serve MCP over Streamable HTTP at `/mcp`. Every request needs a bearer token that maps to an
 * agent id (401 otherwise); a session belongs to the agent that opened it (403 for another).
 * Host and Origin headers must name this machine (DNS-rebinding protection).
 */
export async function startHttpMcpServer(options: HttpMcpServerOptions): Promise<RunningHttpMcpServer> {
  const { log } = options;
  const sessions = new Map<string, Session>();
  const allowedHosts = new Set([
    "localhost",
    "127.0.0.1",
    "[::1]",
    options.host.toLowerCase(),
    hostnameOf(options.host),
  ]);

  const originAllowed = (origin: string): boolean => {
    try {
      return (
        allowedHosts.has(new URL(origin).hostname.toLowerCase()) || allowedHosts.has(`[${new URL(origin).hostname}]`)
      );
    } catch {
      return false;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/mcp") return sendJson(res, 404, { error: "NOT_FOUND: the MCP endpoint is /mcp" });
    const host = req.headers.host;
    if (!host || !allowedHosts.has(hostnameOf(host)))
      return sendJson(res, 403, rpcError("Forbidden: Host header not allowed"));
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin))
      return sendJson(res, 403, rpcError("Forbidden: Origin not allowed"));

    const agentId = options.authenticate(req.headers.authorization);
    if (!agentId) {
      return sendJson(
        res,
        401,
        rpcError("UNAUTHENTICATED: a valid bearer token is required (Authorization: Bearer <token>)"),
        {
          "www-authenticate": 'Bearer realm="coffer-mcp"',
        },
      );
    }

    const sessionHeader = req.headers["mcp-session-id"];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (!session) return sendJson(res, 404, rpcError("Session not found"));
      if (session.agentId !== agentId)
        return sendJson(res, 403, rpcError("PERMISSION_DENIED: this session belongs to another agent"));
      session.lastSeen = Date.now();
      await session.transport.handleRequest(req, res);
      return;
    }

    if (req.method !== "POST")
      return sendJson(res, 400, rpcError("Bad Request: no session; start with an initialize POST"));
    const read = await readBody(req);
    if (!read.ok) return sendJson(res, read.status, rpcError(read.message, read.status === 400 ? -32700 : -32000));
    if (!isInitializeRequest(read.body))
      return sendJson(res, 400, rpcError("Bad Request: no valid session id provided"));
    if (sessions.size >= MAX_SESSIONS) return sendJson(res, 503, rpcError("UNAVAILABLE: too many open sessions"));

    const server = options.createServerFor(agentId);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, agentId, lastSeen: Date.now() });
        log.debug(`http session opened for agent ${agentId}`);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, read.body);
  };

  const httpServer: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      log.error("http request failed");
      sendJson(res, 500, rpcError("INTERNAL: unexpected internal error", -32603));
    });
  });

  const sweeper = setInterval(() => {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const [id, session] of sessions) {
      if (session.lastSeen < cutoff) {
        sessions.delete(id);
        void session.server.close().catch(() => {});
      }
    }
  }, 60_000);
  sweeper.unref();

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${shownHost}:${address.port}/mcp`,
    async close() {
      clearInterval(sweeper);
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((s) => s.server.close().catch(() => {})));
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}
