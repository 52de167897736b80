import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../src/http-tokens.js";
import {
  type Connection,
  connectHttp,
  type HttpServerProcess,
  makeWorkspace,
  startHttpServer,
  type Workspace,
} from "./mcp-harness.js";

const TOKEN = "cmcp_test_token_for_http_agent_0123456789";
const OTHER_TOKEN = "cmcp_test_token_for_other_agent_9876543210";
const SENTINEL = "http_SENTINEL_55c2e1_value";

let ws: Workspace;
let server: HttpServerProcess;
let agent: Connection | undefined;

beforeAll(async () => {
  ws = makeWorkspace();
  server = await startHttpServer(ws, [], {
    COFFER_MCP_TOKENS: `http-agent:${hashToken(TOKEN)},other-agent:${hashToken(OTHER_TOKEN)}`,
  });
});

afterAll(async () => {
  await agent?.close().catch(() => {});
  await server?.stop();
  ws?.cleanup();
});

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
};

describe("Streamable HTTP", () => {
  it("binds to 127.0.0.1 by default", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it("answers 401 without a valid bearer token", async () => {
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const none = await fetch(server.url, { method: "POST", headers, body: JSON.stringify(initialize) });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await fetch(server.url, {
      method: "POST",
      headers: { ...headers, authorization: "Bearer nope" },
      body: JSON.stringify(initialize),
    });
    expect(wrong.status).toBe(401);
    await expect(connectHttp(server.url, "wrong-token")).rejects.toThrow();
  });

  it("serves tools to an authenticated agent and audits calls with the token's agent id", async () => {
    agent = await connectHttp(server.url, TOKEN);
    const { tools } = await agent.client.listTools();
    expect(tools.map((t) => t.name)).toContain("set_secret");
    const saved = await agent.call("set_secret", { key: "HTTP_KEY", value: SENTINEL });
    expect(saved).toMatchObject({ isError: false, text: "[global] HTTP_KEY saved" });
    const got = await agent.call("get_secret", { key: "HTTP_KEY" });
    expect(got.text).toMatch(/value \(masked\)/);
    expect(got.text).not.toContain(SENTINEL);
    const audit = await agent.call("audit_log", { key: "HTTP_KEY" });
    expect(audit.text).toContain("http-agent (mcp) write");
    const bad = await agent.call("set_secret", { key: "HTTP_KEY" });
    expect(bad).toMatchObject({
      isError: true,
      text: "INVALID_ARGUMENT: invalid arguments for set_secret: value is required",
    });
  });

  it("refuses a session to another agent's token", async () => {
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const opened = await fetch(server.url, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(initialize),
    });
    expect(opened.status).toBe(200);
    const sessionId = opened.headers.get("mcp-session-id");
    expect(sessionId).toBeTruthy();
    await opened.text();
    const hijack = await fetch(server.url, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${OTHER_TOKEN}`, "mcp-session-id": sessionId ?? "" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(hijack.status).toBe(403);
    await hijack.text();
  });

  it("never logs values", () => {
    expect(server.stderr()).not.toContain(SENTINEL);
  });
});
