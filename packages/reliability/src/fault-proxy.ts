import { createServer, request, type Server } from "node:http";
import type { Socket } from "node:net";

/** What the proxy does to the requests it receives. */
export type Fault =
  /** Forward to the upstream untouched. */
  | { kind: "pass" }
  /** Hold every request this long before forwarding (a slow or hanging endpoint). */
  | { kind: "delay"; ms: number }
  /** Answer the next `count` requests with this status and body, then forward again. */
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string>; count: number }
  /** Reset every connection without answering. */
  | { kind: "reset" };

/** A fault-injecting HTTP proxy on 127.0.0.1. */
export interface FaultProxy {
  /** The proxy's URL, to configure as the provider's endpoint. */
  readonly url: string;
  /** Change what happens to the next requests. */
  setFault(fault: Fault): void;
  /** Requests received since start. */
  requests(): number;
  /** Stop listening and drop every open connection. */
  close(): Promise<void>;
}

/** An AWS JSON-protocol throttling answer (what Secrets Manager sends when rate limited). */
export const AWS_THROTTLING: Extract<Fault, { kind: "status" }> = {
  kind: "status",
  status: 400,
  headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "ThrottlingException" },
  body: JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }),
  count: Number.POSITIVE_INFINITY,
};

/** Start a proxy in front of `upstream` (http://host:port). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  let fault: Fault = { kind: "pass" };
  let received = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    received++;
    const current = fault;
    if (current.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (current.kind === "status" && current.count > 0) {
      if (Number.isFinite(current.count)) current.count--;
      req.resume();
      res.writeHead(current.status, { "content-type": "application/json", ...(current.headers ?? {}) });
      res.end(current.body ?? JSON.stringify({ message: `injected HTTP ${current.status}` }));
      return;
    }
    const forward = () => {
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on("error", () => req.socket.destroy());
      req.pipe(out);
    };
    if (current.kind === "delay") {
      req.pause();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!req.socket.destroyed) forward();
      }, current.ms);
      timers.add(timer);
    } else forward();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("fault proxy has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    setFault(next) {
      fault = next.kind === "status" ? { ...next } : next;
    },
    requests: () => received,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
