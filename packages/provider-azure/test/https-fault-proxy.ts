import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request as httpsRequest } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A canned failure the proxy answers instead of forwarding an authenticated request. */
export interface Fault {
  /** Only requests with this HTTP method. */
  method?: string;
  /** Only requests whose path contains this text. */
  pathIncludes?: string;
  /** HTTP status to answer. */
  status?: number;
  /** Azure error code of the JSON error body. */
  azureCode?: string;
  /** Extra response headers, for example `Retry-After`. */
  headers?: Record<string, string>;
  /** Never answer (the client's time limit must end the attempt). */
  hang?: boolean;
  /** Drop the connection without an answer. */
  reset?: boolean;
}

/** A request the proxy saw. */
export interface SeenRequest {
  /** HTTP method. */
  method: string;
  /** Path and query. */
  path: string;
  /** True when it carried an Authorization header (the SDK's challenge request does not). */
  authorized: boolean;
  /** Arrival time, `Date.now()`. */
  at: number;
  /** True when a fault answered it. */
  faulted: boolean;
}

/**
 * An HTTPS proxy in front of Lowkey Vault that records every request (to count round trips) and
 * answers queued faults (403, 429, 5xx, hangs, resets) -- answers Lowkey Vault itself never gives.
 * It serves its own self-signed certificate (made with openssl) and rewrites `Host` so Lowkey
 * Vault finds the vault.
 */
export class HttpsFaultProxy {
  /** Every request seen, in order. */
  readonly requests: SeenRequest[] = [];
  private readonly faults: { fault: Fault; remaining: number }[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    private readonly dir: string,
    /** Vault URL clients use instead of Lowkey Vault's. */
    readonly url: string,
    /** The proxy's certificate, to trust as a CA. */
    readonly caCertPem: string,
  ) {}

  /** Start a proxy on 127.0.0.1 forwarding to `upstream` (trusting `upstreamCa`). */
  static async start(upstream: string, upstreamCa: string): Promise<HttpsFaultProxy> {
    const dir = mkdtempSync(join(tmpdir(), "coffer-azure-proxy-"));
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
    const cert = readFileSync(certPath, "utf8");
    const upstreamUrl = new URL(upstream);
    let proxy: HttpsFaultProxy | undefined;
    const server = createServer({ key: readFileSync(keyPath), cert }, (req, res) =>
      proxy!.handle(req, res, upstreamUrl, upstreamCa),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new HttpsFaultProxy(server, dir, `https://127.0.0.1:${port}`, cert);
    server.on("secureConnection", (socket) => {
      proxy!.sockets.add(socket);
      socket.on("close", () => proxy!.sockets.delete(socket));
    });
    return proxy;
  }

  /** Answer the next `times` matching authenticated requests with `fault`. */
  inject(fault: Fault, times = 1): void {
    this.faults.push({ fault, remaining: times });
  }

  /** Forget faults not used yet. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Authenticated requests seen (what the provider really sent, challenge requests aside). */
  authorizedRequests(filter: { method?: string; pathIncludes?: string } = {}): SeenRequest[] {
    return this.requests.filter(
      (r) =>
        r.authorized &&
        (filter.method === undefined || r.method === filter.method) &&
        (filter.pathIncludes === undefined || r.path.includes(filter.pathIncludes)),
    );
  }

  /** Stop the proxy, cut every connection and remove its files. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(
      ({ fault }) =>
        (fault.method === undefined || fault.method === method) &&
        (fault.pathIncludes === undefined || path.includes(fault.pathIncludes)),
    );
    if (index < 0) return undefined;
    const entry = this.faults[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  private handle(req: IncomingMessage, res: ServerResponse, upstream: URL, upstreamCa: string): void {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const authorized = typeof req.headers.authorization === "string";
    const fault = authorized ? this.takeFault(method, path) : undefined;
    this.requests.push({ method, path, authorized, at: Date.now(), faulted: fault !== undefined });
    if (fault !== undefined) {
      req.resume();
      if (fault.hang) return;
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      const body = JSON.stringify({
        error: { code: fault.azureCode ?? "Injected", message: `injected fault ${fault.status}` },
      });
      res.writeHead(fault.status ?? 500, { "content-type": "application/json", ...fault.headers });
      res.end(body);
      return;
    }
    const forward = httpsRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method,
        path,
        ca: upstreamCa,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  }
}
