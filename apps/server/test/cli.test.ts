import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SERVER_BIN, startServer } from "./server-process.js";

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tempHome(userConfig?: string): { home: string; cwd: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), "coffer-server-cli-"));
  roots.push(root);
  const home = join(root, "home");
  const cwd = join(root, "project");
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(cwd, { mode: 0o700 });
  if (userConfig !== undefined) writeFileSync(join(home, "config.yaml"), userConfig, { mode: 0o600 });
  return { home, cwd, root };
}

/** Run the bin to completion (for commands that exit on their own). */
function runBin(args: string[], userConfig?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { home, cwd, root } = tempHome(userConfig);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: root, COFFER_HOME: home },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("coffer-server command line", () => {
  it("prints its version and help", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    const version = await runBin(["--version"]);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await runBin(["--help"]);
    expect(help.code).toBe(0);
    for (const flag of ["--port", "--host", "--tls-cert", "--tls-key", "--version", "--help"])
      expect(help.stdout).toContain(flag);
  });

  it("exits 2 with a clear message on bad arguments", async () => {
    for (const [args, text] of [
      [["--port", "abc"], "--port must be a number"],
      [["--port", "70000"], "--port must be a number"],
      [["--tls-cert", "x.pem"], "--tls-cert and --tls-key go together"],
      [["--frobnicate"], "unknown option"],
      [["--host"], "--host needs a value"],
    ] as const) {
      const run = await runBin([...args]);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toContain(text);
    }
  });

  it("exits 1 naming the key on a bad server config, and when the port is taken", async () => {
    const bad = await runBin(["--port", "0"], "server:\n  bogus: 1\n");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("server.bogus");
    const badCors = await runBin(["--port", "0"], "server:\n  cors:\n    origins: ['*']\n");
    expect(badCors.code).toBe(1);
    expect(badCors.stderr).toContain("server.cors.origins[0]");

    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = await runBin(["--port", String(port)]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
    } finally {
      blocker.close();
    }
  });

  it("stops cleanly on SIGTERM", async () => {
    const server = await startServer();
    const exit = await server.stopWithCode();
    expect(exit).toBe(0);
  });

  it.skipIf(!hasOpenssl)("serves HTTPS with --tls-cert and --tls-key", async () => {
    const { root } = tempHome();
    const key = join(root, "key.pem");
    const cert = join(root, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    const server = await startServer({ args: ["--tls-cert", cert, "--tls-key", key] });
    try {
      expect(server.url).toMatch(/^https:\/\//);
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${server.url}/healthz`, { ca: readFileSync(cert) }, (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({ status: "ok" });
    } finally {
      await server.stop();
    }
  });

  it("sends no CORS headers unless origins are configured, then only to them", async () => {
    const plain = await startServer();
    try {
      const res = await plain.request("GET", "/healthz", { headers: { origin: "https://evil.example" } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      const preflight = await plain.request("OPTIONS", "/v1/secrets", {
        headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
      });
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await plain.stop();
    }
    const cors = await startServer({ userConfig: "server:\n  cors:\n    origins: ['https://app.example.com']\n" });
    try {
      const token = await cors.token({ name: "web", scopes: ["secrets:read"] });
      const allowed = await cors.request("GET", "/v1/secrets", {
        token,
        headers: { origin: "https://app.example.com" },
      });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
      const other = await cors.request("GET", "/v1/secrets", { token, headers: { origin: "https://evil.example" } });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
      const preflight = await cors.request("OPTIONS", "/v1/secrets/x", {
        headers: {
          origin: "https://app.example.com",
          "access-control-request-method": "PUT",
          "access-control-request-headers": "authorization,content-type,if-match",
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-methods")).toContain("PUT");
      expect(preflight.headers.get("access-control-allow-headers")).toContain("If-Match");
    } finally {
      await cors.stop();
    }
  });
});
