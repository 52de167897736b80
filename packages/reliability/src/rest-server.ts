import { apiTokens, type TokenScope } from "@coffer/core";
import { defaultAccessor, openCoffer } from "@coffer/runtime";
import { FRONT_END_BINS } from "./front-end-bins.js";
import type { Workspace } from "./temp-workspace.js";
import { startTracked, type TrackedProcess } from "./tracked-process.js";
import type { Transcript } from "./transcript.js";

/** A response as a client sees it. */
export interface RestResponse {
  /** HTTP status. */
  status: number;
  /** Headers. */
  headers: Headers;
  /** Body text. */
  text: string;
  /** Body parsed as JSON, when it is JSON. */
  body: unknown;
}

/** A running built coffer-server. */
export interface RestServer {
  /** Base URL (http://127.0.0.1:PORT). */
  readonly url: string;
  /** The server process. */
  readonly process: TrackedProcess;
  /** Send a request; `reveal` marks the response as an explicit reveal for leak scans. */
  request(
    method: string,
    path: string,
    options?: {
      token?: string;
      json?: unknown;
      body?: string | Buffer;
      headers?: Record<string, string>;
      reveal?: boolean;
    },
  ): Promise<RestResponse>;
  /** Stop the server (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

/** Create an API token in the workspace's store (as the server's operator would with `coffer token create`). */
export async function createApiToken(ws: Workspace, name: string, scopes: TokenScope[]): Promise<string> {
  const opened = await openCoffer({ accessor: defaultAccessor("library"), cwd: ws.project, env: ws.env() });
  try {
    if (!opened.documents) throw new Error("the workspace has no local store for tokens");
    return (await apiTokens(opened.documents).create({ name, scopes })).token;
  } finally {
    await opened.coffer.dispose();
  }
}

/** Start the built coffer-server on a free port of 127.0.0.1 in a workspace. */
export async function startRestServer(
  ws: Workspace,
  options: { transcript?: Transcript; args?: string[] } = {},
): Promise<RestServer> {
  const proc = startTracked([FRONT_END_BINS.server, "--port", "0", ...(options.args ?? [])], {
    cwd: ws.project,
    env: ws.env(),
    label: "coffer-server",
  });
  const line = await proc.waitForLine(/listening at https?:\/\//);
  const url = /listening at (https?:\/\/[A-Za-z0-9.:[\]-]+)/.exec(line)?.[1];
  if (!url) throw new Error(`cannot read the server URL from: ${line}`);
  const transcript = options.transcript;
  return {
    url,
    process: proc,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
      let body = opts.body;
      if (opts.json !== undefined) {
        body = JSON.stringify(opts.json);
        headers["content-type"] ??= "application/json";
      }
      const res = await fetch(url + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      const headerText = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
      transcript?.add(`${method} ${path.split("?")[0]} -> ${res.status}`, `${headerText}\n\n${text}`, opts.reveal);
      return { status: res.status, headers: res.headers, text, body: parsed };
    },
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await proc.exited;
      clearTimeout(timer);
      transcript?.add("coffer-server stdout", proc.stdout());
      transcript?.add("coffer-server stderr", proc.stderr());
    },
  };
}
