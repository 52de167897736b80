import { isCofferError, SECRET_FORMATS, type SecretFormat, type SetOptions } from "@coffer/core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { governed } from "../auth/token-policy.js";
import { IF_MATCH_PATTERN, IF_NONE_MATCH_PATTERN, readPreconditions, versionTag } from "../http/preconditions.js";
import { HttpProblem } from "../http/problem.js";
import { defined, flag, scopeInput } from "../http/query-values.js";
import { authenticated } from "../http/request-context.js";
import {
  BASE64_PATTERN,
  MAX_AGENT_IDS,
  MAX_DESCRIPTION_BYTES,
  MAX_TAGS,
  MAX_VALUE_SIZE,
  RANGES,
  WELL_FORMED_TEXT_PATTERN,
  wholeRangeField,
} from "../schemas/input-rules.js";
import {
  BODY_STATUSES,
  bearerSecurity,
  flagParam,
  nameParams,
  problemResponses,
  queryObject,
  ruleRef,
  type ScopeQuery,
  scopeQueryProperties,
} from "../schemas/parameters.js";

interface TargetQuery extends ScopeQuery {
  provider?: string;
}

interface DeleteQuery extends TargetQuery {
  purge?: string;
}

interface PutBody {
  value: string;
  encoding?: "utf-8" | "base64";
  env?: string;
  tags?: string[];
  description?: string;
  ttlSeconds?: number;
  expiresAt?: string;
  rotationFormat?: SecretFormat;
  rotationPrefix?: string;
  allowedAgentIds?: string[];
  writeOnly?: boolean;
  allowEmpty?: boolean;
  mergeAttributes?: boolean;
}

interface RotateBody {
  value?: string;
  generate?: SecretFormat;
  prefix?: string;
  env?: string;
  expireOld?: boolean;
  graceSeconds?: number;
}

interface RollbackBody {
  to: number;
  env?: string;
}

const targetQuery = queryObject({
  provider: ruleRef(
    "ProviderName",
    "Provider (default: the default provider for writes, where the secret is otherwise).",
  ),
  ...scopeQueryProperties,
});

const envField = ruleRef("EnvName", "Env state (`dev`, `prod`); absent: the default state.");

/**
 * A value in its encoding: well-formed text, or strict base64 with `encoding: base64`; empty
 * only for an env state or with `allowEmpty`. Larger than 64 KiB after decoding: 413.
 */
const putValueRules = [
  {
    if: { required: ["encoding"], properties: { encoding: { const: "base64" } } },
    // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here
    then: { properties: { value: { type: "string", pattern: BASE64_PATTERN } } },
    else: { properties: { value: { type: "string", pattern: WELL_FORMED_TEXT_PATTERN } } },
  },
  {
    if: { required: ["value"], properties: { value: { type: "string", maxLength: 0 } } },
    // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here
    then: {
      anyOf: [{ required: ["env"] }, { required: ["allowEmpty"], properties: { allowEmpty: { const: true } } }],
    },
  },
];

/** Treat a missing body as `{}` on routes whose body is optional (a JSON `null` is a body, and not an object: 400). */
async function emptyBodyAsObject(req: FastifyRequest): Promise<void> {
  if (req.body === undefined) req.body = {};
}

/** PUT, DELETE, restore, rotate and rollback of `/v1/secrets/{name}`. */
export async function secretWriteRoutes(app: FastifyInstance): Promise<void> {
  app.put<{
    Params: { name: string };
    Querystring: TargetQuery;
    Body: PutBody;
    Headers: { "if-match"?: string; "if-none-match"?: string };
  }>(
    "/v1/secrets/:name",
    {
      schema: {
        tags: ["secrets"],
        operationId: "putSecret",
        summary: "Create or update a secret",
        description:
          "Writes a new version. `If-Match: <version>` writes only if the current version matches (412 otherwise); `If-None-Match: *` creates only (409 if it exists). Returns the new version and metadata, never the value. Needs `secrets:write`.",
        security: bearerSecurity,
        params: nameParams,
        querystring: targetQuery,
        headers: {
          type: "object",
          properties: {
            "if-match": {
              type: "string",
              maxLength: 64,
              pattern: IF_MATCH_PATTERN,
              description:
                'Current version (`3`, `"3"` or `W/"3"`, at least 1): optimistic concurrency. Not with If-None-Match (400).',
            },
            "if-none-match": {
              type: "string",
              maxLength: 8,
              pattern: IF_NONE_MATCH_PATTERN,
              description: "Only `*`: create only.",
            },
          },
        },
        body: {
          type: "object",
          additionalProperties: false,
          required: ["value"],
          properties: {
            value: {
              type: "string",
              maxLength: MAX_VALUE_SIZE * 2,
              description:
                "The value: text, or strict padded base64 with `encoding: base64`. At most 64 KiB after decoding (larger: 413). Empty only for an env state or with `allowEmpty`.",
            },
            encoding: { type: "string", enum: ["utf-8", "base64"], description: "Value encoding (default utf-8)." },
            env: envField,
            tags: { type: "array", maxItems: MAX_TAGS, items: { $ref: "Tag#" } },
            description: {
              type: "string",
              maxLength: MAX_DESCRIPTION_BYTES,
              description: `At most ${MAX_DESCRIPTION_BYTES} UTF-8 bytes (400 beyond).`,
            },
            ttlSeconds: wholeRangeField(RANGES.ttlSeconds, "Soft decay window: stale at 75%, expired after."),
            expiresAt: {
              anyOf: [
                { type: "string", format: "date-time" },
                { type: "string", format: "date" },
              ],
              description: "Hard expiry: an RFC 3339 date-time, or a date (midnight UTC).",
            },
            rotationFormat: {
              type: "string",
              enum: [...SECRET_FORMATS],
              description: "Generator used by rotate without a value.",
            },
            rotationPrefix: ruleRef("GeneratedPrefix", "Prefix used by rotate without a value."),
            allowedAgentIds: { type: "array", maxItems: MAX_AGENT_IDS, items: { $ref: "ScopeId#" } },
            writeOnly: { type: "boolean", description: "Value can be written and injected, never read back." },
            allowEmpty: { type: "boolean", description: "Allow an empty value." },
            mergeAttributes: {
              type: "boolean",
              description: "Keep attributes this write does not set (default true).",
            },
          },
          allOf: putValueRules,
        },
        response: {
          200: { description: "Updated", headers: { ETag: { type: "string" } }, $ref: "WriteResult#" },
          201: { description: "Created", headers: { ETag: { type: "string" } }, $ref: "WriteResult#" },
          ...problemResponses(409, 412, 422, ...BODY_STATUSES),
        },
      },
    },
    async (req, reply) => {
      const { token, coffer } = authenticated(req);
      const { name } = req.params;
      const pre = readPreconditions(req.headers["if-match"], req.headers["if-none-match"]);
      const { value, ...attributes } = req.body;
      const options: SetOptions = defined({
        ...scopeInput(req.query),
        provider: req.query.provider,
        ...attributes,
        ifVersion: pre.ifVersion,
        mode: pre.createOnly ? ("create" as const) : undefined,
      });
      let result: Awaited<ReturnType<typeof coffer.set>>;
      try {
        result = await governed(token, "write", name, () => coffer.set(name, value, options));
      } catch (err) {
        if (pre.ifVersion !== undefined && isCofferError(err, "CONFLICT")) {
          throw new HttpProblem(412, "CONFLICT", err.message, err.details);
        }
        throw err;
      }
      reply.code(result.version === 1 ? 201 : 200).header("etag", versionTag(result.version));
      return result;
    },
  );

  app.delete<{ Params: { name: string }; Querystring: DeleteQuery }>(
    "/v1/secrets/:name",
    {
      schema: {
        tags: ["secrets"],
        operationId: "deleteSecret",
        summary: "Delete a secret (recoverable unless purge=true)",
        description:
          "Soft-deletes every version (restorable within the recovery window); `purge=true` removes it irrecoverably. Needs `secrets:delete`.",
        security: bearerSecurity,
        params: nameParams,
        querystring: queryObject({
          purge: flagParam("Remove irrecoverably."),
          provider: {
            anyOf: [{ $ref: "ProviderName#" }, { type: "string", enum: ["all"] }],
            description: "Provider name, or `all` (default: every provider holding it).",
          },
          ...scopeQueryProperties,
        }),
        response: {
          200: {
            description: "What was deleted",
            type: "object",
            properties: {
              removedFrom: { type: "array", items: { type: "string" } },
              versionsDeleted: { type: "integer" },
              purged: { type: "boolean" },
              purgeAt: { type: "string", format: "date-time" },
              hooks: { type: "array", items: { $ref: "HookReport#" } },
            },
          },
          ...problemResponses(404, 422, 503),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const { name } = req.params;
      const q = req.query;
      return governed(token, "delete", name, () =>
        coffer.delete(name, defined({ ...scopeInput(q), provider: q.provider, purge: flag(q.purge) })),
      );
    },
  );

  app.post<{ Params: { name: string }; Querystring: TargetQuery }>(
    "/v1/secrets/:name/restore",
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ["secrets"],
        operationId: "restoreSecret",
        summary: "Restore a deleted secret",
        description:
          "Undoes a recoverable delete within the recovery window. Needs `secrets:delete`. No body (or `{}`).",
        security: bearerSecurity,
        params: nameParams,
        querystring: targetQuery,
        body: { type: "object", additionalProperties: false, properties: {} },
        response: {
          200: {
            description: "Restored",
            type: "object",
            properties: { provider: { type: "string" }, versionsRestored: { type: "integer" } },
          },
          ...problemResponses(404, 409, 422, ...BODY_STATUSES),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const { name } = req.params;
      return governed(token, "delete", name, () =>
        coffer.restore(name, defined({ ...scopeInput(req.query), provider: req.query.provider })),
      );
    },
  );

  app.post<{ Params: { name: string }; Querystring: TargetQuery; Body: RotateBody }>(
    "/v1/secrets/:name/rotate",
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ["secrets"],
        operationId: "rotateSecret",
        summary: "Rotate a secret to a given or generated value",
        description:
          "Writes a new version with `value`, or a value generated from the secret's rotation format (or `generate`). The old version stays readable for the grace period unless `expireOld`. Never returns the value. Needs `secrets:write`.",
        security: bearerSecurity,
        params: nameParams,
        querystring: targetQuery,
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            value: {
              type: "string",
              minLength: 1,
              maxLength: MAX_VALUE_SIZE * 2,
              pattern: WELL_FORMED_TEXT_PATTERN,
              description:
                "New value; omitted: generated. In the secret's encoding (strict base64 for a base64 secret, else 400); at most 64 KiB (larger: 413).",
            },
            generate: { type: "string", enum: [...SECRET_FORMATS], description: "Format to generate with." },
            prefix: ruleRef("GeneratedPrefix", "Prefix to generate with."),
            env: envField,
            expireOld: { type: "boolean", description: "Make the old version unreadable now." },
            graceSeconds: wholeRangeField(RANGES.graceSeconds, "Seconds the old version stays readable."),
          },
        },
        response: {
          200: {
            description: "What the rotation did",
            type: "object",
            properties: {
              name: { type: "string" },
              scopeLabel: { type: "string" },
              oldVersion: { type: "integer" },
              newVersion: { type: "integer" },
              oldValidUntil: { type: "string", format: "date-time" },
              provider: { type: "string" },
              generated: { type: "boolean" },
              entangled: { type: "array", items: { type: "string" } },
              hooks: { type: "array", items: { $ref: "HookReport#" } },
            },
          },
          ...problemResponses(404, 422, ...BODY_STATUSES),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const { name } = req.params;
      return governed(token, "rotate", name, () =>
        coffer.rotate(name, defined({ ...scopeInput(req.query), provider: req.query.provider, ...req.body })),
      );
    },
  );

  app.post<{ Params: { name: string }; Querystring: TargetQuery; Body: RollbackBody }>(
    "/v1/secrets/:name/rollback",
    {
      schema: {
        tags: ["secrets"],
        operationId: "rollbackSecret",
        summary: "Roll back to an earlier version",
        description: "Writes version `to` again as a new version. Needs `secrets:write`.",
        security: bearerSecurity,
        params: nameParams,
        querystring: targetQuery,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["to"],
          properties: { to: wholeRangeField(RANGES.version, "Version to restore."), env: envField },
        },
        response: {
          200: { description: "The new version", $ref: "WriteResult#" },
          ...problemResponses(404, 422, ...BODY_STATUSES),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const { name } = req.params;
      const { to, env } = req.body;
      return governed(token, "write", name, () =>
        coffer.rollback(name, to, defined({ ...scopeInput(req.query), provider: req.query.provider, env })),
      );
    },
  );
}
