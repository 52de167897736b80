// Starts a BUILT coffer-server on a free loopback port with a temp COFFER_HOME and cwd, and opens
// the same store in the test process: API tokens are created there with core's apiTokens(), and
// test data that the REST API cannot make (entanglement) is written through the service.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiTokens, apiTokens, type Coffer } from "@coffer/core";
import { defaultAccessor, openCoffer } from "@coffer/runtime";

/** A running server and its store. */
export interface CofferServer {
  /** Base URL (`http://127.0.0.1:PORT`). */
  url: string;
  /** Tokens over the server's store. */
  tokens: ApiTokens;
  /** The service over the same store, acting as the OS user. */
  coffer: Coffer;
  /** Create a token and return its plaintext. */
  token(name: string, scopes: string[]): Promise<string>;
  /** Call the REST API. */
  api(method: string, path: string, token: string, json?: unknown): Promise<{ status: number; body: unknown }>;
  /** Everything the process printed so far. */
  output(): string;
  /** Stop the server and remove its directories. */
  stop(): Promise<void>;
}

/** Start the bin with this user config.yaml. */
export async function startCofferServer(bin: string, userConfig?: string): Promise<CofferServer> {
  const root = mkdtempSync(join(tmpdir(), "coffer-dashboard-test-"));
  const home = join(root, "home");
  const cwd = join(root, "project");
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(cwd, { mode: 0o700 });
  if (userConfig !== undefined) writeFileSync(join(home, "config.yaml"), userConfig, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: root, COFFER_HOME: home, TZ: "UTC" };

  // Open the store first, so the key file exists before the server starts.
  const opened = await openCoffer({ accessor: defaultAccessor("library"), cwd, env });
  if (!opened.documents) throw new Error("the test store has no document collection (local provider missing)");
  const tokens = apiTokens(opened.documents);

  const child: ChildProcess = spawn(process.execPath, [bin, "--port", "0", "--host", "127.0.0.1"], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`coffer-server did not start:\n${output}`)), 30_000);
      child.stdout?.on("data", () => {
        const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`coffer-server exited before listening:\n${output}`));
      });
    });
  } catch (err) {
    await opened.coffer.dispose();
    rmSync(root, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    tokens,
    coffer: opened.coffer,
    async token(name, scopes) {
      return (await tokens.create({ name, scopes })).token;
    },
    async api(method, path, token, json) {
      const res = await fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(json === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      await opened.coffer.dispose();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
