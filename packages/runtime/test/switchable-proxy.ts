import { createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the proxy does with the requests it receives. */
export type ProxyMode =
  /** Forward to the upstream (moto). */
  | "pass"
  /** Drop every connection without an answer: the service is unreachable. */
  | "down"
  /** Answer every request as AWS does when IAM refuses it (AccessDeniedException). */
  | "deny";

/**
 * A small HTTP proxy in front of moto that counts every request it receives and can be switched
 * to "unreachable" or "access denied" -- states moto itself cannot be put in.
 */
export class SwitchableProxy {
  /** What happens to the next requests. */
  mode: ProxyMode = "pass";
  /** Requests received since start (or the last reset). */
  requests = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    /** Base URL to configure as the provider's endpoint. */
    readonly url: string,
  ) {}

  /** Start on a free port of 127.0.0.1, forwarding to `upstream`. */
  static async start(upstream: string): Promise<SwitchableProxy> {
    const target = new URL(upstream);
    let proxy: SwitchableProxy | undefined;
    const server = createServer((req, res) => {
      const self = proxy!;
      self.requests++;
      if (self.mode === "down") {
        req.socket.destroy();
        return;
      }
      if (self.mode === "deny") {
        req.resume();
        res.writeHead(400, {
          "content-type": "application/x-amz-json-1.1",
          "x-amzn-errortype": "AccessDeniedException",
        });
        res.end(JSON.stringify({ __type: "AccessDeniedException", message: "denied by the test proxy" }));
        return;
      }
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      out.on("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(out);
    });
    server.on("connection", (socket) => {
      proxy?.sockets.add(socket);
      socket.on("close", () => proxy?.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new SwitchableProxy(server, `http://127.0.0.1:${port}`);
    return proxy;
  }

  /** Stop listening and drop every open connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
