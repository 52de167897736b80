import type { FastifyInstance } from "fastify";

const ALLOWED_METHODS = "GET, PUT, POST, DELETE";
const ALLOWED_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match, X-Coffer-Purpose";
const EXPOSED_HEADERS = "ETag, Retry-After";

/**
 * Cross-origin access for the configured origins only (`server.cors.origins`). With none
 * configured nothing is registered: browsers on other origins cannot read any response.
 */
export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.addHook("onRequest", async (req, reply) => {
    const origin = req.headers.origin;
    reply.header("vary", "Origin");
    if (typeof origin === "string" && allowed.has(origin)) {
      reply.header("access-control-allow-origin", origin);
      reply.header("access-control-expose-headers", EXPOSED_HEADERS);
    }
  });
  app.options("/v1/*", { schema: { hide: true }, config: {} }, async (req, reply) => {
    const origin = req.headers.origin;
    if (typeof origin === "string" && allowed.has(origin)) {
      reply.header("access-control-allow-methods", ALLOWED_METHODS);
      reply.header("access-control-allow-headers", ALLOWED_HEADERS);
      reply.header("access-control-max-age", "600");
    }
    return reply.code(204).send();
  });
}
