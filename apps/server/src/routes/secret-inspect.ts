import type { FastifyInstance } from "fastify";
import { governed, tokenCoversName } from "../auth/token-policy.js";
import { defined, scopeInput } from "../http/query-values.js";
import { authenticated } from "../http/request-context.js";
import {
  bearerSecurity,
  nameParams,
  problemResponses,
  queryObject,
  ruleRef,
  type ScopeQuery,
  scopeQueryProperties,
} from "../schemas/parameters.js";

interface InspectQuery extends ScopeQuery {
  provider?: string;
  env?: string;
}

/** The secret name of an entanglement label (`NAME` or `NAME [scope]`). */
function labelName(label: string): string {
  const i = label.indexOf(" [");
  return i < 0 ? label : label.slice(0, i);
}

/** `GET /v1/secrets/{name}/inspect`: full metadata of a secret (every env state, versions, entanglement). */
export async function secretInspectRoute(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { name: string }; Querystring: InspectQuery }>(
    "/v1/secrets/:name/inspect",
    {
      schema: {
        tags: ["secrets"],
        operationId: "inspectSecret",
        summary: "Inspect a secret (all metadata, never the value)",
        description:
          "Every env state with its masked value and freshness (a secret with only env states is found too), the env in force and the state a read would return, the versions of that state, the secrets entangled with it and how often it was read. Needs `secrets:read`. Entangled secrets outside the token's name pattern are left out.",
        security: bearerSecurity,
        params: nameParams,
        querystring: queryObject({
          provider: ruleRef("ProviderName", "Provider (default: the first that holds it)."),
          env: ruleRef("EnvName", "Env to mark as in force (default: the detected environment)."),
          ...scopeQueryProperties,
        }),
        response: {
          200: { description: "Full metadata", $ref: "Inspection#" },
          ...problemResponses(404, 422, 503),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const { name } = req.params;
      const q = req.query;
      // Core's policy engine decides (and audits a denial with the token name and rule).
      const inspection = await governed(token, "read", name, () =>
        coffer.inspect(name, defined({ ...scopeInput(q), provider: q.provider, env: q.env })),
      );
      return {
        ...inspection,
        entangledWith: inspection.entangledWith.filter((label) => tokenCoversName(token, labelName(label))),
      };
    },
  );
}
