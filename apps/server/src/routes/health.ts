import type { FastifyInstance } from "fastify";
import { HttpProblem } from "../http/problem.js";
import { publicProblemResponses, queryObject } from "../schemas/parameters.js";

/** Options of {@link healthRoute}. */
export interface HealthRouteOptions {
  /** Whether the store keeping tokens and audit answers. @default always ready */
  readiness?: () => Promise<{ ok: boolean; message?: string }>;
}

/**
 * `GET /healthz`: liveness only (no authentication, no details). `GET /readyz`: readiness, for a
 * load balancer: 200 while the store that keeps tokens and audit (a shared PostgreSQL for
 * replicas) answers, else a 503 problem document; the process itself stays up and recovers by
 * itself when the store returns.
 */
export async function healthRoute(app: FastifyInstance, options: HealthRouteOptions = {}): Promise<void> {
  app.get(
    "/healthz",
    {
      schema: {
        tags: ["health"],
        operationId: "liveness",
        summary: "Liveness",
        description: "Answers 200 while the server runs. No authentication, no details.",
        security: [],
        querystring: queryObject({}),
        response: {
          200: { description: "Alive", type: "object", properties: { status: { type: "string", enum: ["ok"] } } },
          ...publicProblemResponses(),
        },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["health"],
        operationId: "readiness",
        summary: "Readiness",
        description:
          "Answers 200 while the store holding tokens, documents and audit (the local store, or the PostgreSQL database shared by replicas) answers; 503 otherwise, so a load balancer sends requests to other replicas. No authentication.",
        security: [],
        querystring: queryObject({}),
        response: {
          200: { description: "Ready", type: "object", properties: { status: { type: "string", enum: ["ready"] } } },
          ...publicProblemResponses(503),
        },
      },
    },
    async () => {
      const health = options.readiness ? await options.readiness() : { ok: true };
      if (!health.ok) {
        throw new HttpProblem(
          503,
          "UNAVAILABLE",
          `not ready: ${health.message ?? "the store does not answer"}`,
          {},
          { "retry-after": "1" },
        );
      }
      return { status: "ready" as const };
    },
  );
}
