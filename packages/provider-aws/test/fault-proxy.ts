import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A canned failure the proxy answers instead of forwarding a request to moto. */
export interface Fault {
  /** Only requests of this AWS operation (X-Amz-Target suffix); any operation when absent. */
  operation?: string;
  /** HTTP status to answer. */
  status?: number;
  /** AWS error type put in `__type` of a JSON error body. */
  awsError?: string;
  /** Raw body instead of the JSON error body (for example an HTML gateway page). */
  rawBody?: string;
  /** Extra response headers, for example `Retry-After`. */
  headers?: Record<string, string>;
  /** Wait this long before answering (to exceed the client's timeout). */
  delayMs?: number;
  /** Drop the connection without an answer (a network failure). */
  reset?: boolean;
}

/** A request the proxy saw. */
export interface SeenRequest {
  /** AWS operation, for example `GetSecretValue`. */
  operation: string;
  /** Time it arrived, `Date.now()`. */
  at: number;
  /** Whether a fault answered it. */
  faulted: boolean;
}

/**
 * A small HTTP proxy in front of moto that records every request (to count round trips) and
 * answers queued faults instead of forwarding (throttling, 5xx, 403, hangs, resets) -- failures
 * moto itself cannot be made to produce.
 */
export class FaultProxy {
  /** Every request seen, in order. */
  readonly requests: SeenRequest[] = [];
  private readonly faults: { fault: Fault; remaining: number }[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    private readonly upstream: string,
    /** Base URL clients use instead of moto's. */
    readonly endpoint: string,
  ) {}

  /** Start a proxy on 127.0.0.1 forwarding to `upstream`. */
  static async start(upstream: string): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer((req, res) => {
      void proxy!.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new FaultProxy(server, upstream, `http://127.0.0.1:${port}`);
    server.on("connection", (socket) => {
      proxy!.sockets.add(socket);
      socket.on("close", () => proxy!.sockets.delete(socket));
    });
    return proxy;
  }

  /** Answer the next `times` matching requests with `fault`. */
  inject(fault: Fault, times = 1): void {
    this.faults.push({ fault, remaining: times });
  }

  /** Drop every queued fault. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Forget the recorded requests. */
  resetCount(): void {
    this.requests.length = 0;
  }

  /** Number of requests seen (of one operation when given). */
  count(operation?: string): number {
    return this.requests.filter((r) => operation === undefined || r.operation === operation).length;
  }

  /** Stop listening and drop every open connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private takeFault(operation: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.fault.operation === undefined || f.fault.operation === operation);
    if (i < 0) return undefined;
    const entry = this.faults[i]!;
    entry.remaining--;
    if (entry.remaining <= 0) this.faults.splice(i, 1);
    return entry.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.includes(".") ? target.slice(target.lastIndexOf(".") + 1) : target;
    const fault = this.takeFault(operation);
    this.requests.push({ operation, at: Date.now(), faulted: fault !== undefined });
    if (fault) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (res.destroyed) return;
      const payload =
        fault.rawBody ??
        JSON.stringify({ __type: fault.awsError ?? "InternalServiceError", message: "injected by the test proxy" });
      res.writeHead(fault.status ?? 500, {
        "content-type": fault.rawBody ? "text/html" : "application/x-amz-json-1.1",
        ...(fault.awsError ? { "x-amzn-errortype": fault.awsError } : {}),
        ...fault.headers,
      });
      res.end(payload);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (typeof value === "string" && key !== "host" && key !== "connection") headers[key] = value;
    }
    try {
      const upstream = await fetch(`${this.upstream}${req.url ?? "/"}`, {
        method: req.method ?? "POST",
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      });
      const answer = Buffer.from(await upstream.arrayBuffer());
      const out: Record<string, string> = {};
      upstream.headers.forEach((value, key) => {
        if (
          key !== "content-length" &&
          key !== "transfer-encoding" &&
          key !== "connection" &&
          key !== "content-encoding"
        ) {
          out[key] = value;
        }
      });
      out["content-length"] = String(answer.length);
      res.writeHead(upstream.status, out);
      res.end(answer);
    } catch {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end("upstream unreachable");
    }
  }
}
