import type { FastifyInstance } from "fastify";
import { authorizeToken } from "../auth/token-policy.js";
import { authenticated } from "../http/request-context.js";
import { bearerSecurity, problemResponses, queryObject } from "../schemas/parameters.js";

/** `GET /v1/providers`: health of each provider in chain order. */
export async function providerRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    "/v1/providers",
    {
      schema: {
        tags: ["providers"],
        operationId: "listProviders",
        summary: "Provider health",
        description: "Each provider of the chain, in read order, with its health. Needs `secrets:read`.",
        security: bearerSecurity,
        querystring: queryObject({}),
        response: {
          200: {
            description: "Providers",
            type: "object",
            properties: {
              ok: { type: "boolean", description: "Every provider healthy." },
              chain: { type: "array", items: { type: "string" } },
              providers: { type: "array", items: { $ref: "ProviderStatus#" } },
            },
          },
          ...problemResponses(),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      // The service does not authorize health checks: the token needs secrets:read here.
      authorizeToken(token, "read");
      const report = await coffer.health();
      return { ok: report.ok, chain: report.chain, providers: report.providers };
    },
  );
}
