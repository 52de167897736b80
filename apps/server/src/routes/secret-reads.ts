import type { GetOptions, ListOptions } from "@coffer/core";
import { SCOPE_KINDS } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import { authorizeToken, governed } from "../auth/token-policy.js";
import { versionTag } from "../http/preconditions.js";
import { toProblemResponse } from "../http/problem.js";
import { defined, flag, list, scopeInput, wholeNumber } from "../http/query-values.js";
import { authenticated } from "../http/request-context.js";
import { LIST_CURSOR_PATTERN, RANGES, wholeRangeParam } from "../schemas/input-rules.js";
import {
  bearerSecurity,
  flagParam,
  nameParams,
  problemResponses,
  purposeSchema,
  queryObject,
  ruleRef,
  type ScopeQuery,
  scopeQueryProperties,
  tagListParam,
  textParam,
} from "../schemas/parameters.js";

interface ListQuery {
  pattern?: string;
  tag?: string | string[];
  scope?: string;
  env?: string;
  provider?: string;
  includeExpired?: string;
  includeDeleted?: string;
  staleOnly?: string;
  limit?: string;
  cursor?: string;
}

interface GetQuery extends ScopeQuery {
  reveal?: string;
  purpose?: string;
  version?: string;
  env?: string;
  provider?: string;
  allowExpired?: string;
  noCache?: string;
}

/** Names one batch read takes at most. */
export const MAX_BATCH_NAMES = 100;

interface BatchGetBody extends ScopeQuery {
  names: string[];
  reveal?: boolean;
  purpose?: string;
  env?: string;
  provider?: string;
}

interface VersionsQuery extends ScopeQuery {
  env?: string;
  provider?: string;
}

/** `GET /v1/secrets`, `GET /v1/secrets/{name}`, `GET /v1/secrets/{name}/versions`. */
export async function secretReadRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: ListQuery }>(
    "/v1/secrets",
    {
      schema: {
        tags: ["secrets"],
        operationId: "listSecrets",
        summary: "List secrets (metadata only)",
        description:
          "Lists secret metadata across providers, newest state per scope and provider. Needs `secrets:read`. A token with a name pattern sees only matching names.",
        security: bearerSecurity,
        querystring: queryObject({
          pattern: textParam("Name glob (`api-*`; `*` any run, `?` one character)."),
          tag: tagListParam("Only secrets with every one of these tags (repeat the parameter)."),
          scope: { type: "string", enum: [...SCOPE_KINDS], description: "Only this scope kind." },
          env: ruleRef("EnvName", "Only secrets that have this env state."),
          provider: ruleRef("ProviderName", "Only this provider."),
          includeExpired: flagParam("Include hard-expired secrets (TTL-expired ones are listed anyway)."),
          includeDeleted: flagParam("Include soft-deleted secrets."),
          staleOnly: flagParam("Only stale or expired secrets."),
          limit: wholeRangeParam(RANGES.listLimit, "Page size (default 100)."),
          cursor: {
            type: "string",
            maxLength: 8192,
            pattern: LIST_CURSOR_PATTERN,
            description: "Cursor from `nextCursor` of the previous page.",
          },
        }),
        response: {
          200: {
            description: "A page of metadata",
            type: "object",
            properties: {
              items: { type: "array", items: { $ref: "ListItem#" } },
              total: { type: "integer" },
              nextCursor: { type: "string" },
              errors: { type: "array", items: { $ref: "ProviderOutcome#" } },
            },
          },
          ...problemResponses(),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      // The service filters the listing per secret (scopes, pattern, accessControl) but does not
      // refuse a listing as a whole: a token without secrets:read is refused here.
      authorizeToken(token, "read");
      const q = req.query;
      const options: ListOptions = defined({
        pattern: q.pattern ?? token.pattern,
        tags: list(q.tag),
        scope: q.scope as ListOptions["scope"],
        env: q.env,
        provider: q.provider,
        includeExpired: flag(q.includeExpired),
        includeDeleted: flag(q.includeDeleted),
        staleOnly: flag(q.staleOnly),
        limit: wholeNumber(q.limit, "limit", RANGES.listLimit),
        cursor: q.cursor,
      });
      return coffer.list(options);
    },
  );

  app.get<{ Params: { name: string }; Querystring: GetQuery }>(
    "/v1/secrets/:name",
    {
      schema: {
        tags: ["secrets"],
        operationId: "getSecret",
        summary: "Read a secret (masked, or revealed with a purpose)",
        description:
          "Returns metadata and a masked value. `reveal=true` returns the value too; it needs `secrets:reveal` and a purpose (`purpose` parameter or `X-Coffer-Purpose` header), which is recorded in the audit log. Without reveal it needs `secrets:read`. The `ETag` header carries the version, for `If-Match` on a later PUT.",
        security: bearerSecurity,
        params: nameParams,
        querystring: queryObject({
          reveal: flagParam("Return the plaintext value (needs secrets:reveal and a purpose)."),
          purpose: purposeSchema("Why the value is needed (recorded in the audit log)."),
          version: wholeRangeParam(RANGES.version, "Version to read (default: current)."),
          env: ruleRef("EnvName", "Env state to read (default: the detected environment)."),
          provider: ruleRef("ProviderName", "Read only from this provider."),
          allowExpired: flagParam("Read a hard-expired secret anyway."),
          noCache: flagParam("Bypass provider caches."),
          ...scopeQueryProperties,
        }),
        headers: {
          type: "object",
          properties: {
            "x-coffer-purpose": purposeSchema("Purpose of a reveal (alternative to the query parameter)."),
          },
        },
        response: {
          200: {
            description: "The secret; `value` only when revealed",
            headers: { ETag: { type: "string", description: 'Version as a strong entity tag, e.g. "3"' } },
            $ref: "SecretResult#",
          },
          ...problemResponses(404, 422, 503),
        },
      },
    },
    async (req, reply) => {
      const { token, coffer } = authenticated(req);
      const { name } = req.params;
      const q = req.query;
      const reveal = flag(q.reveal) === true;
      const headerPurpose = req.headers["x-coffer-purpose"];
      const purpose = q.purpose ?? (typeof headerPurpose === "string" ? headerPurpose : undefined);
      const options: GetOptions = defined({
        ...scopeInput(q),
        env: q.env,
        version: wholeNumber(q.version, "version", RANGES.version),
        provider: q.provider,
        allowExpired: flag(q.allowExpired),
        noCache: flag(q.noCache),
        reveal,
        purpose: reveal ? purpose : undefined,
      });
      const result = await governed(token, reveal ? "reveal" : "read", name, () => coffer.get(name, options));
      reply.header("etag", versionTag(result.version));
      if (reveal) return result;
      const { value: _value, ...masked } = result;
      return masked;
    },
  );

  // `::` is a literal colon in Fastify's router: the route is POST /v1/secrets:batchGet.
  app.post<{ Body: BatchGetBody }>(
    "/v1/secrets::batchGet",
    {
      schema: {
        tags: ["secrets"],
        operationId: "batchGetSecrets",
        summary: "Read up to 100 secrets in one request",
        description:
          "Reads each named secret as `GET /v1/secrets/{name}` would, with the same options for all, and answers 200 with one result per name in the order given: `{ name, ok: true, secret }` or `{ name, ok: false, error }` (the problem document that name alone would have had). `reveal: true` needs `secrets:reveal` and a `purpose`; otherwise `secrets:read`. Each revealed read is audited as its own read. Duplicate names are refused.",
        security: bearerSecurity,
        querystring: queryObject({}),
        body: {
          type: "object",
          additionalProperties: false,
          required: ["names"],
          properties: {
            names: {
              type: "array",
              minItems: 1,
              maxItems: MAX_BATCH_NAMES,
              uniqueItems: true,
              items: { $ref: "SecretName#" },
              description: `Secret names (1-${MAX_BATCH_NAMES}, no duplicates).`,
            },
            reveal: {
              type: "boolean",
              description: "Return the plaintext values (needs secrets:reveal and a purpose).",
            },
            purpose: purposeSchema("Why the values are needed (recorded in the audit log)."),
            env: ruleRef("EnvName", "Env state to read (default: the detected environment)."),
            provider: ruleRef("ProviderName", "Read only from this provider."),
            ...scopeQueryProperties,
          },
        },
        response: {
          200: {
            description: "One result per name, in request order",
            type: "object",
            properties: {
              items: {
                type: "array",
                items: {
                  type: "object",
                  required: ["name", "ok"],
                  properties: {
                    name: { type: "string" },
                    ok: { type: "boolean" },
                    secret: { $ref: "SecretResult#" },
                    error: { $ref: "Problem#" },
                  },
                },
              },
            },
          },
          ...problemResponses(415, 503),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const body = req.body;
      const reveal = body.reveal === true;
      const headerPurpose = req.headers["x-coffer-purpose"];
      const purpose = body.purpose ?? (typeof headerPurpose === "string" ? headerPurpose : undefined);
      const options: GetOptions = defined({
        ...scopeInput(body),
        env: body.env,
        provider: body.provider,
        reveal,
        purpose: reveal ? purpose : undefined,
      });
      const items = await Promise.all(
        body.names.map(async (name) => {
          try {
            const result = await governed(token, reveal ? "reveal" : "read", name, () => coffer.get(name, options));
            if (reveal) return { name, ok: true, secret: result };
            const { value: _value, ...masked } = result;
            return { name, ok: true, secret: masked };
          } catch (err) {
            return { name, ok: false, error: toProblemResponse(err).body };
          }
        }),
      );
      return { items };
    },
  );

  app.get<{ Params: { name: string }; Querystring: VersionsQuery }>(
    "/v1/secrets/:name/versions",
    {
      schema: {
        tags: ["secrets"],
        operationId: "listSecretVersions",
        summary: "Version history of a secret",
        description: "Versions of one secret state, newest first (metadata only). Needs `secrets:read`.",
        security: bearerSecurity,
        params: nameParams,
        querystring: queryObject({
          env: ruleRef("EnvName", "Env state (default: the default state)."),
          provider: ruleRef("ProviderName", "Provider."),
          ...scopeQueryProperties,
        }),
        response: {
          200: {
            description: "Versions, newest first",
            type: "object",
            properties: { items: { type: "array", items: { $ref: "VersionInfo#" } } },
          },
          ...problemResponses(404, 422, 503),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const { name } = req.params;
      const q = req.query;
      const items = await governed(token, "read", name, () =>
        coffer.history(name, defined({ ...scopeInput(q), env: q.env, provider: q.provider })),
      );
      return { items };
    },
  );
}
