import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { awsErrorAnswer, azureErrorAnswer, type FaultProxy, startFaultProxy } from "../src/index.js";

/** The upstream answers what it received, so a test sees what the proxy forwarded. */
function echo(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "x-upstream": "yes" });
    res.end(
      JSON.stringify({
        method: req.method,
        path: req.url,
        host: req.headers.host,
        body: Buffer.concat(chunks).toString("utf8"),
      }),
    );
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const aws = (operation: string) => ({ "x-amz-target": `secretsmanager.${operation}` });

describe("fault proxy over HTTP", () => {
  let upstream: Server;
  let upstreamPort: number;
  let proxy: FaultProxy;
  beforeAll(async () => {
    upstream = createHttpServer(echo);
    upstreamPort = await listen(upstream);
    proxy = await startFaultProxy(`http://127.0.0.1:${upstreamPort}`);
  });
  afterEach(() => {
    proxy.clearFaults();
    proxy.clearRequests();
  });
  afterAll(async () => {
    await proxy.close();
    await close(upstream);
  });

  it("forwards method, path and body to the upstream with the upstream's Host, and logs the request", async () => {
    const res = await fetch(`${proxy.url}/v1/x?y=1`, { method: "POST", headers: aws("GetSecretValue"), body: "hi" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-upstream")).toBe("yes");
    expect(await res.json()).toEqual({
      method: "POST",
      path: "/v1/x?y=1",
      host: `127.0.0.1:${upstreamPort}`,
      body: "hi",
    });
    expect(proxy.requests).toEqual([
      {
        method: "POST",
        path: "/v1/x?y=1",
        operation: "GetSecretValue",
        authorized: false,
        at: expect.any(Number),
        faulted: false,
      },
    ]);
  });

  it("answers the next `times` matching requests with the fault, then forwards again", async () => {
    proxy.inject({ operation: "GetSecretValue", ...awsErrorAnswer("ThrottlingException") }, 2);
    const other = await fetch(proxy.url, { method: "POST", headers: aws("ListSecrets") });
    expect(other.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(proxy.url, { method: "POST", headers: aws("GetSecretValue") });
      expect(res.status).toBe(400);
      expect(res.headers.get("x-amzn-errortype")).toBe("ThrottlingException");
      expect(await res.json()).toMatchObject({ __type: "ThrottlingException" });
    }
    expect((await fetch(proxy.url, { method: "POST", headers: aws("GetSecretValue") })).status).toBe(200);
    expect(proxy.count({ operation: "GetSecretValue" })).toBe(3);
    expect(proxy.matching({ operation: "GetSecretValue" }).map((r) => r.faulted)).toEqual([true, true, false]);
  });

  it("matches by method, path and Authorization, and Infinity lasts until clearFaults", async () => {
    proxy.inject(
      { method: "GET", pathIncludes: "/secrets/a", authorized: true, ...azureErrorAnswer("Forbidden", 403) },
      Number.POSITIVE_INFINITY,
    );
    expect((await fetch(`${proxy.url}/secrets/a`)).status).toBe(200); // no Authorization
    expect((await fetch(`${proxy.url}/secrets/b`, { headers: { authorization: "Bearer t" } })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxy.url}/secrets/a`, { headers: { authorization: "Bearer t" } });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: "Forbidden", message: "injected fault 403" } });
    }
    proxy.clearFaults();
    expect((await fetch(`${proxy.url}/secrets/a`, { headers: { authorization: "Bearer t" } })).status).toBe(200);
    expect(proxy.count({ authorized: true })).toBe(5);
  });

  it("a status fault without a body answers a JSON message with extra headers", async () => {
    proxy.inject({ status: 503, headers: { "retry-after": "1" } });
    const res = await fetch(proxy.url);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toEqual({ message: "injected HTTP 503" });
  });

  it("reset drops the connection without an answer", async () => {
    proxy.inject({ reset: true });
    await expect(fetch(proxy.url)).rejects.toThrow();
    expect(proxy.requests[0]?.faulted).toBe(true);
  });

  it("a delay alone forwards late; a delay with a status answers late", async () => {
    proxy.inject({ delayMs: 300 });
    const started = Date.now();
    const late = await fetch(proxy.url, { method: "POST", body: "slow" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await late.json()).toMatchObject({ body: "slow" });
    proxy.inject({ delayMs: 300, status: 500 });
    const answered = await fetch(proxy.url);
    expect(answered.status).toBe(500);
  });

  it("hang never answers: the client's time limit ends the request", async () => {
    proxy.inject({ hang: true });
    await expect(fetch(proxy.url, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
  });

  it("an unreachable upstream is answered 502", async () => {
    const dead = createHttpServer(echo);
    const port = await listen(dead);
    await close(dead);
    const orphan = await startFaultProxy(`http://127.0.0.1:${port}`);
    try {
      expect((await fetch(orphan.url)).status).toBe(502);
    } finally {
      await orphan.close();
    }
  });

  it("close ends hanging requests", async () => {
    const closing = await startFaultProxy(`http://127.0.0.1:${upstreamPort}`);
    closing.inject({ hang: true });
    const pending = fetch(closing.url);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await closing.close();
    await expect(pending).rejects.toThrow();
  });
});

describe("fault proxy over HTTPS", () => {
  let dir: string;
  let upstream: Server;
  let upstreamCa: string;
  let proxy: FaultProxy;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "coffer-fault-proxy-test-"));
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"],
        ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
        ...["-addext", "subjectAltName=IP:127.0.0.1"],
      ],
      { stdio: "ignore" },
    );
    upstreamCa = readFileSync(join(dir, "cert.pem"), "utf8");
    upstream = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert: upstreamCa }, echo);
    const port = await listen(upstream);
    proxy = await startFaultProxy(`https://127.0.0.1:${port}`, { upstreamCa });
  });
  afterAll(async () => {
    await proxy.close();
    await close(upstream);
    rmSync(dir, { recursive: true, force: true });
  });

  /** GET over TLS trusting only the proxy's certificate. */
  const get = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(`${proxy.url}${path}`, { ca: proxy.caCertPem }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString("utf8")));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });

  it("serves TLS with its own certificate and forwards to the https upstream it was told to trust", async () => {
    expect(proxy.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(proxy.caCertPem).toContain("BEGIN CERTIFICATE");
    const res = await get("/secrets/x");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ method: "GET", path: "/secrets/x" });
  });

  it("injects faults over TLS too", async () => {
    proxy.inject({ pathIncludes: "/secrets/x", ...azureErrorAnswer("ServiceUnavailable", 503) });
    expect((await get("/secrets/x")).status).toBe(503);
    expect((await get("/secrets/x")).status).toBe(200);
    expect(proxy.matching({ pathIncludes: "/secrets/x" }).map((r) => r.faulted)).toEqual([false, true, false]);
  });
});
