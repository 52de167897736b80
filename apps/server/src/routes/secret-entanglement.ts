import type { FastifyInstance } from "fastify";
import { governed } from "../auth/token-policy.js";
import { scopeInput } from "../http/query-values.js";
import { authenticated } from "../http/request-context.js";
import {
  BODY_STATUSES,
  bearerSecurity,
  nameParams,
  problemResponses,
  queryObject,
  type ScopeQuery,
  scopeQueryProperties,
} from "../schemas/parameters.js";

interface LinkBody {
  with: string;
}

const linkBody = {
  type: "object",
  additionalProperties: false,
  required: ["with"],
  properties: { with: { $ref: "SecretName#", description: "The other secret (same scope as `{name}`)." } },
} as const;

/**
 * `POST /v1/secrets/{name}/entangle` and `/disentangle`: link or unlink two secrets of one scope.
 * Core's entangle/disentangle operations decide (existence, access guard, audit); the route only
 * parses and maps.
 */
export async function secretEntanglementRoute(app: FastifyInstance): Promise<void> {
  app.post<{ Params: { name: string }; Querystring: ScopeQuery; Body: LinkBody }>(
    "/v1/secrets/:name/entangle",
    {
      schema: {
        tags: ["secrets"],
        operationId: "entangleSecrets",
        summary: "Entangle two secrets (writes to one reach the other)",
        description:
          "Links `{name}` and `with` (both in the scope given by the query, default global): a later write of either writes the same value to the other. Both must exist. Needs `secrets:write`; core's access guard decides on both secrets and audits the link.",
        security: bearerSecurity,
        params: nameParams,
        querystring: queryObject({ ...scopeQueryProperties }),
        body: linkBody,
        response: {
          200: {
            description: "The whole entangled group",
            type: "object",
            properties: { group: { type: "array", items: { type: "string" } } },
          },
          ...problemResponses(404, 422, ...BODY_STATUSES),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const scope = scopeInput(req.query);
      return governed(token, "write", req.params.name, () =>
        coffer.entangle(req.params.name, req.body.with, { a: scope, b: scope }),
      );
    },
  );

  app.post<{ Params: { name: string }; Querystring: ScopeQuery; Body: LinkBody }>(
    "/v1/secrets/:name/disentangle",
    {
      schema: {
        tags: ["secrets"],
        operationId: "disentangleSecrets",
        summary: "Remove the link between two secrets",
        description:
          "Unlinks `{name}` and `with` (same scope, from the query). `removed` is false when they were not linked. Needs `secrets:write`; core's access guard decides and audits.",
        security: bearerSecurity,
        params: nameParams,
        querystring: queryObject({ ...scopeQueryProperties }),
        body: linkBody,
        response: {
          200: {
            description: "Whether a link was removed",
            type: "object",
            properties: { removed: { type: "boolean" } },
          },
          ...problemResponses(404, 422, ...BODY_STATUSES),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const scope = scopeInput(req.query);
      return governed(token, "write", req.params.name, () =>
        coffer.disentangle(req.params.name, req.body.with, { a: scope, b: scope }),
      );
    },
  );
}
