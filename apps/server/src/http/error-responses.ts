import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpProblem, PROBLEM_MEDIA_TYPE, problem, toProblemResponse } from "./problem.js";

/**
 * The path of a request URL, without its query string: logs never carry query parameters (a
 * caller might wrongly put a value there).
 */
export function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/** Send any error as an application/problem+json response, logging it without values. */
export function sendProblem(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { body, headers } = toProblemResponse(err);
  if (body.status >= 500) {
    // Coffer messages are value-free; foreign errors are logged by type and stack frames only,
    // because their messages might echo input.
    const stack =
      err instanceof Error && typeof err.stack === "string" ? err.stack.split("\n").slice(1).join("\n") : undefined;
    req.log.error(
      { code: body.code, accessor: req.apiToken?.name, errorType: err instanceof Error ? err.name : typeof err, stack },
      "request failed",
    );
  } else {
    req.log.info(
      { code: body.code, status: body.status, accessor: req.apiToken?.name, method: req.method, path: pathOf(req.url) },
      "request refused",
    );
  }
  reply.header("x-content-type-options", "nosniff");
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.code(body.status).type(PROBLEM_MEDIA_TYPE).send(JSON.stringify(body));
}

/** A served path pattern (`/v1/secrets/:name`, `/ui/*`) as a matcher over raw request paths. */
function pathMatcher(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => {
      if (part === "*") return ".*";
      if (part.startsWith(":")) return "[^/]+";
      return part.replace(/[\\^$.|?+()[\]{}]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}$`);
}

/**
 * The methods served at each route path, so that a request for a served path with a method it
 * does not serve answers 405 with `Allow` (not 404). CORS preflights (OPTIONS) are left out:
 * their catch-all route does not make every path exist.
 */
class RouteMethods {
  private readonly routes: Array<{ matcher: RegExp; methods: string[] }> = [];

  add(url: string, method: string | string[]): void {
    const methods = (Array.isArray(method) ? method : [method]).filter((m) => m !== "OPTIONS");
    if (methods.length > 0) this.routes.push({ matcher: pathMatcher(url), methods });
  }

  /** Methods served at a raw request path (empty: no such path). */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) if (route.matcher.test(path)) for (const m of route.methods) methods.add(m);
    return [...methods].sort();
  }
}

/**
 * Route every error, unknown route and framework error (bad URL encoding) through
 * {@link sendProblem}; a served path asked with another method answers 405 with `Allow`.
 * Must be called before routes are registered (it records them).
 */
export function registerErrorResponses(app: FastifyInstance): void {
  const routes = new RouteMethods();
  app.addHook("onRoute", (route) => routes.add(route.url, route.method));
  app.setErrorHandler((err: FastifyError, req, reply) => sendProblem(err, req, reply));
  app.setNotFoundHandler((req, reply) => {
    const allowed = routes.allowed(pathOf(req.url));
    // No such path, or a served path without this resource (`/ui/missing.js`): 404.
    if (allowed.length === 0 || allowed.includes(req.method))
      return sendProblem({ statusCode: 404, code: "ROUTE_NOT_FOUND" }, req, reply);
    return sendProblem(
      new HttpProblem(
        405,
        "UNSUPPORTED",
        `${req.method} is not allowed on this path; allowed: ${allowed.join(", ")}`,
        { allowed },
        { allow: allowed.join(", ") },
      ),
      req,
      reply,
    );
  });
}

/** Status line text of the client errors Node's HTTP parser raises. */
const CLIENT_ERROR_STATUS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large", "the request headers are too large"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout", "the request was not received in time"],
};

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser refuses (oversized
 * headers, malformed request line, timeout) gets a problem document on the raw socket, then the
 * connection closes.
 */
export function clientErrors(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const [status, reason, detail] = CLIENT_ERROR_STATUS[err.code ?? ""] ?? [
    400,
    "Bad Request",
    "the request is not valid HTTP",
  ];
  const body = JSON.stringify(problem(status, status === 431 ? "TOO_LARGE" : "INVALID_ARGUMENT", detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_MEDIA_TYPE}\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Fastify's `frameworkErrors` option: errors raised before routing (bad URL encoding). */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  sendProblem(err, req, reply);
}
