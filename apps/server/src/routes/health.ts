import type { FastifyInstance } from "fastify";
import { publicProblemResponses, queryObject } from "../schemas/parameters.js";

/** `GET /healthz`: liveness only (no authentication, no details). */
export async function healthRoute(app: FastifyInstance): Promise<void> {
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
}
