import { createServer } from "node:net";

/**
 * Ask the OS for a TCP port that is free on 127.0.0.1 right now (bind to port 0, read it, close).
 * Another process could take it before the caller binds; emulators are started right after.
 * @throws Error when no port can be bound on 127.0.0.1.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close((err) => {
        if (err) reject(err);
        else if (port > 0) resolve(port);
        else reject(new Error("could not read the port of a bound socket"));
      });
    });
  });
}
