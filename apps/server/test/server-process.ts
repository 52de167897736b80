// Test harness: spawns the BUILT coffer-server on a free port with a temp COFFER_HOME and cwd,
// and opens the same store in the test process to create API tokens directly. The dashboard's
// browser tests start their private build of the bin with it too (`bin`).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ApiTokens,
  type Approvals,
  apiTokens,
  type Coffer,
  type CreateApiTokenInput,
  type DocumentStore,
} from "@coffer/core";
import { defaultAccessor, openCoffer } from "@coffer/runtime";
import { type ListeningProcess, startListeningProcess } from "@coffer/test-emulators";

/** The built bin under test. */
export const SERVER_BIN = fileURLToPath(new URL("../dist/coffer-server.js", import.meta.url));

/** A response, parsed. */
export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for JSON bodies
  body: any;
}

/** Options of one request. */
export interface RequestOptions {
  /** Bearer token to send. */
  token?: string;
  /** JSON body (serialized). */
  json?: unknown;
  /** Raw body. */
  body?: string | Buffer<ArrayBuffer>;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** A running server and what tests need around it. */
export interface ServerUnderTest {
  url: string;
  home: string;
  cwd: string;
  /** Token management over the server's own store. */
  tokens: ApiTokens;
  /** The service in the test process (same store), acting as the OS user. */
  coffer: Coffer;
  /** Approval requests of the same store (a person approves them here). */
  approvals: Approvals;
  /** Create a token and return its plaintext. */
  token(input: Partial<CreateApiTokenInput> & { scopes: string[] }): Promise<string>;
  /** Send a request. */
  request(method: string, path: string, options?: RequestOptions): Promise<HttpResult>;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  /** Stop the process and remove its temp directories. */
  stop(): Promise<void>;
  /** Stop with SIGTERM and return the exit code. */
  stopWithCode(): Promise<number | null>;
  /** Send a signal (SIGKILL: a crash) and wait until the process is gone; `stop()` still tidies up. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Options of {@link startServer}. */
export interface StartOptions {
  /** Contents of `$COFFER_HOME/config.yaml`. */
  userConfig?: string;
  /** Contents of `coffer.yaml` in the server's working directory (the project config). */
  projectConfig?: string;
  /** Extra command-line arguments. */
  args?: string[];
  /** Scheme to expect (https with --tls-*). */
  https?: boolean;
  /** The built bin to run. @default {@link SERVER_BIN} */
  bin?: string;
  /** Extra environment variables of the server (and of the test's own service over the same config). */
  env?: Record<string, string>;
}

let counter = 0;

/** Start the built server. */
export async function startServer(options: StartOptions = {}): Promise<ServerUnderTest> {
  const bin = options.bin ?? SERVER_BIN;
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm run build\` in apps/server first`);
  const root = mkdtempSync(join(tmpdir(), "coffer-server-test-"));
  const home = join(root, "home");
  const cwd = join(root, "project");
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(cwd, { mode: 0o700 });
  if (options.userConfig !== undefined) writeFileSync(join(home, "config.yaml"), options.userConfig, { mode: 0o600 });
  if (options.projectConfig !== undefined)
    writeFileSync(join(cwd, "coffer.yaml"), options.projectConfig, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "",
    HOME: root,
    COFFER_HOME: home,
    TZ: "UTC",
    ...options.env,
  };

  // Open the store first, so the key file exists before the server starts.
  const opened = await openCoffer({ accessor: defaultAccessor("library"), cwd, env });
  if (!opened.documents || !opened.approvals) throw new Error("no store for service documents");
  const approvals = opened.approvals;
  const tokens = apiTokens(opened.documents);

  let proc: ListeningProcess;
  try {
    proc = await startListeningProcess({ args: [bin, "--port", "0", ...(options.args ?? [])], cwd, env });
  } catch (err) {
    await opened.coffer.dispose();
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const url = proc.url;

  const id = ++counter;
  const server: ServerUnderTest = {
    url,
    home,
    cwd,
    tokens,
    coffer: opened.coffer,
    approvals,
    async token(input) {
      const { token } = await tokens.create({
        name: input.name ?? `t${id}-${Math.random().toString(36).slice(2, 8)}`,
        ...input,
      });
      return token;
    },
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
      let body: string | Buffer<ArrayBuffer> | undefined = opts.body;
      if (opts.json !== undefined) {
        body = JSON.stringify(opts.json);
        headers["content-type"] ??= "application/json";
      }
      const res = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, text, body: parsed };
    },
    logs: () => proc.output(),
    async kill(signal) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill(signal);
        await proc.exited;
      }
    },
    async stopWithCode() {
      proc.child.kill("SIGTERM");
      const code = await proc.exited;
      await server.stop();
      return code;
    },
    async stop() {
      await proc.stop();
      await opened.coffer.dispose();
      rmSync(root, { recursive: true, force: true });
    },
  };
  stores.set(server, opened.documents);
  return server;
}

const stores = new WeakMap<ServerUnderTest, DocumentStore>();

/** The document store of a server under test (to create tokens with a custom clock). */
export function storeOf(server: ServerUnderTest): DocumentStore {
  const store = stores.get(server);
  if (!store) throw new Error("unknown server");
  return store;
}

/**
 * Announce an oversize body (Content-Length) but send only its first kilobyte, and resolve with
 * the response. The server answers 413 from the header and closes the connection; sending the
 * rest would race that close (EPIPE/RST), which is the client's problem, not the server's.
 */
export function sendOversize(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url + path,
      { method, headers: { ...headers, "content-length": String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          req.destroy();
          resolve({ status: res.statusCode ?? 0, headers: h, text, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.write(body.subarray(0, 1024));
  });
}

/** Assert-friendly view of a problem response. */
export function problemOf(res: HttpResult): {
  status: number;
  code: string;
  contentType: string | null;
  detail: string;
} {
  return {
    status: res.status,
    code: res.body?.code,
    contentType: res.headers.get("content-type"),
    detail: res.body?.detail,
  };
}

/** Path segment of a secret name (`/` encoded as %2F). */
export function secretPath(name: string, suffix = ""): string {
  return `/v1/secrets/${encodeURIComponent(name)}${suffix}`;
}
