import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Which requests a fault applies to, or a count looks at: every field that is set must match. */
export interface RequestMatch {
  /** AWS operation: the `X-Amz-Target` header after its last dot (`GetSecretValue`). */
  operation?: string;
  /** HTTP method. */
  method?: string;
  /** Text the path (query included) contains. */
  pathIncludes?: string;
  /** Requests with (true) or without (false) an `Authorization` header. */
  authorized?: boolean;
}

/**
 * What the proxy does to a matching request instead of forwarding it untouched -- the failures
 * an emulator cannot be made to produce. Without `status`, `hang` or `reset`, a delayed request
 * is forwarded once the delay is over (a slow endpoint).
 */
export interface Fault extends RequestMatch {
  /** Wait this long (milliseconds) before acting. @default 0 */
  delayMs?: number;
  /** Answer with this HTTP status instead of forwarding. */
  status?: number;
  /** Body of the answer. @default `{"message":"injected HTTP <status>"}` */
  body?: string;
  /** Headers of the answer (added to `content-type: application/json`). */
  headers?: Record<string, string>;
  /** Never answer (only the client's time limit, or `close`, ends the request). */
  hang?: boolean;
  /** Drop the connection without an answer (a network failure). */
  reset?: boolean;
}

/** A request the proxy received. */
export interface SeenRequest {
  /** HTTP method. */
  method: string;
  /** Path and query. */
  path: string;
  /** AWS operation (`X-Amz-Target` after its last dot), when the header is present. */
  operation?: string;
  /** True when it carried an `Authorization` header (an Azure SDK challenge request does not). */
  authorized: boolean;
  /** Arrival time, `Date.now()`. */
  at: number;
  /** True when a fault handled it. */
  faulted: boolean;
}

/** A fault-injecting proxy on 127.0.0.1 in front of an emulator, HTTP or HTTPS like its upstream. */
export interface FaultProxy {
  /** URL to give clients instead of the upstream's. */
  readonly url: string;
  /** With an https upstream: the proxy's self-signed certificate, for clients to trust as a CA. */
  readonly caCertPem?: string;
  /** Every request received, in order (the request log). */
  readonly requests: readonly SeenRequest[];
  /** Apply `fault` to the next `times` matching requests (`Infinity`: until `clearFaults`). */
  inject(fault: Fault, times?: number): void;
  /** Drop the faults not used up yet: every request is forwarded again. */
  clearFaults(): void;
  /** Requests of the log that match. */
  matching(match?: RequestMatch): SeenRequest[];
  /** Number of requests of the log that match. */
  count(match?: RequestMatch): number;
  /** Empty the request log. */
  clearRequests(): void;
  /** Stop listening, cut every connection (hanging ones too) and remove the proxy's files. */
  close(): Promise<void>;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** PEM of a CA to trust for an https upstream (an emulator's self-signed certificate). */
  upstreamCa?: string;
}

/** The answer AWS JSON-protocol services give for an error of `type` (ThrottlingException...). */
export function awsErrorAnswer(
  type: string,
  status = 400,
  headers: Record<string, string> = {},
): Pick<Fault, "status" | "body" | "headers"> {
  return {
    status,
    body: JSON.stringify({ __type: type, message: "injected by the test proxy" }),
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type, ...headers },
  };
}

/** The answer Azure Key Vault gives for an error with `code` (Forbidden, ServiceUnavailable...). */
export function azureErrorAnswer(
  code: string,
  status: number,
  headers: Record<string, string> = {},
): Pick<Fault, "status" | "body" | "headers"> {
  return { status, body: JSON.stringify({ error: { code, message: `injected fault ${status}` } }), headers };
}

function matches(match: RequestMatch, seen: Omit<SeenRequest, "at" | "faulted">): boolean {
  return (
    (match.operation === undefined || match.operation === seen.operation) &&
    (match.method === undefined || match.method === seen.method) &&
    (match.pathIncludes === undefined || seen.path.includes(match.pathIncludes)) &&
    (match.authorized === undefined || match.authorized === seen.authorized)
  );
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl in `dir`. */
function selfSignedCertificate(dir: string): { key: Buffer; cert: string } {
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(keyPath), cert: readFileSync(certPath, "utf8") };
}

/**
 * Start a proxy in front of `upstream` (`http://host:port` or `https://host:port`). It forwards
 * every request (with `Host` set to the upstream's), logs it, and applies injected faults.
 */
export async function startFaultProxy(upstream: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const target = new URL(upstream);
  const https = target.protocol === "https:";
  const faults: { fault: Fault; remaining: number }[] = [];
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const takeFault = (seen: Omit<SeenRequest, "at" | "faulted">): Fault | undefined => {
    const index = faults.findIndex(({ fault }) => matches(fault, seen));
    if (index < 0) return undefined;
    const entry = faults[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(index, 1);
    return entry.fault;
  };

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const send = https ? httpsRequest : httpRequest;
    const out = send(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        ...(https && options.upstreamCa !== undefined ? { ca: options.upstreamCa } : {}),
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { "content-type": "text/plain" });
      res.end("upstream unreachable");
    });
    req.pipe(out);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const amzTarget = String(req.headers["x-amz-target"] ?? "");
    const seen = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      ...(amzTarget === "" ? {} : { operation: amzTarget.slice(amzTarget.lastIndexOf(".") + 1) }),
      authorized: typeof req.headers.authorization === "string",
    };
    const fault = takeFault(seen);
    requests.push({ ...seen, at: Date.now(), faulted: fault !== undefined });
    if (fault === undefined) {
      forward(req, res);
      return;
    }
    const answers = fault.status !== undefined || fault.hang === true || fault.reset === true;
    if (answers) req.resume();
    else req.pause();
    const act = () => {
      if (req.socket.destroyed || res.destroyed) return;
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (fault.hang) return;
      if (fault.status === undefined) {
        forward(req, res);
        return;
      }
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ message: `injected HTTP ${fault.status}` }));
    };
    if (fault.delayMs === undefined || fault.delayMs <= 0) {
      act();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      act();
    }, fault.delayMs);
    timers.add(timer);
  };

  let dir: string | undefined;
  let caCertPem: string | undefined;
  let server: Server;
  if (https) {
    dir = mkdtempSync(join(tmpdir(), "coffer-fault-proxy-"));
    const { key, cert } = selfSignedCertificate(dir);
    caCertPem = cert;
    server = createHttpsServer({ key, cert }, handle);
  } else {
    server = createHttpServer(handle);
  }
  server.on(https ? "secureConnection" : "connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${https ? "https" : "http"}://127.0.0.1:${port}`,
    ...(caCertPem === undefined ? {} : { caCertPem }),
    requests,
    inject(fault, times = 1) {
      faults.push({ fault, remaining: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    matching: (match = {}) => requests.filter((r) => matches(match, r)),
    count: (match = {}) => requests.filter((r) => matches(match, r)).length,
    clearRequests() {
      requests.length = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
