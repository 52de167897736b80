import { afterEach, describe, expect, it } from "vitest";
import { type ServerUnderTest, secretPath, startServer } from "./server-process.js";

// Request loggers are made only when a request logs a line: the lines that are written must still
// carry the request id, and levels below the configured one must stay silent.

let server: ServerUnderTest | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** The JSON log lines mentioning `path`. */
function linesFor(s: ServerUnderTest, path: string): Array<Record<string, unknown>> {
  return s
    .logs()
    .split("\n")
    .filter((l) => l.startsWith("{") && l.includes(path))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("request log lines", () => {
  it("at info: a refusal is logged with its request id; a served read logs nothing", async () => {
    server = await startServer({ args: ["--log-level", "info"] });
    const token = await server.token({ name: "log-reader", scopes: ["secrets:read", "secrets:write"] });
    expect((await server.request("PUT", secretPath("log-served"), { token, json: { value: "v-1" } })).status).toBe(201);
    expect((await server.request("GET", secretPath("log-served"), { token })).status).toBe(200);
    expect((await server.request("GET", secretPath("log-refused"), { token: "cfr_wrong" })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(linesFor(server, "log-served")).toEqual([]);
    const refused = linesFor(server, "log-refused");
    expect(refused.length).toBeGreaterThan(0);
    for (const line of refused) expect(line.reqId).toEqual(expect.any(String));
  });

  it("at debug: every request logs its lines under one request id", async () => {
    server = await startServer({ args: ["--log-level", "debug"] });
    const token = await server.token({ name: "log-debug", scopes: ["secrets:read"] });
    expect((await server.request("GET", secretPath("log-missing"), { token })).status).toBe(404);
    await new Promise((r) => setTimeout(r, 100));
    const lines = linesFor(server, "log-missing");
    expect(lines.length).toBeGreaterThanOrEqual(1);
    const ids = new Set(lines.map((l) => l.reqId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toEqual(expect.any(String));
  });
});
