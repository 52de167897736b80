import type { FastifyInstance } from "fastify";

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
        response: {
          200: { description: "Alive", type: "object", properties: { status: { type: "string", enum: ["ok"] } } },
        },
      },
    },
    async () => ({ status: "ok" as const }),
  );
}
