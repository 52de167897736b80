// An HTTP proxy on 127.0.0.1 in front of an emulator that counts the requests passing through,
// by AWS operation (X-Amz-Target), so figures can say how many round trips a read cost.
import { createServer, request } from "node:http";

/** Start a proxy to `target` (http://host:port). */
export async function startCountingProxy(target) {
  const upstream = new URL(target);
  const counts = new Map();
  let total = 0;
  const server = createServer((req, res) => {
    total++;
    const op = String(req.headers["x-amz-target"] ?? `${req.method} ${req.url}`).replace(/^secretsmanager\./, "");
    counts.set(op, (counts.get(op) ?? 0) + 1);
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Requests since the last reset, total and by operation. */
    take() {
      const snapshot = { total, byOperation: Object.fromEntries(counts) };
      total = 0;
      counts.clear();
      return snapshot;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
