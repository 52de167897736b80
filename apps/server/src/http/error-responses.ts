import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PROBLEM_MEDIA_TYPE, toProblemResponse } from "./problem.js";

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

/** Route every error, unknown route and framework error (bad URL encoding) through {@link sendProblem}. */
export function registerErrorResponses(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => sendProblem(err, req, reply));
  app.setNotFoundHandler((req, reply) => sendProblem({ statusCode: 404, code: "ROUTE_NOT_FOUND" }, req, reply));
}

/** Fastify's `frameworkErrors` option: errors raised before routing (bad URL encoding). */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  sendProblem(err, req, reply);
}
