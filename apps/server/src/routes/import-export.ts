import { type ExportOptions, type ImportOptions, SCOPE_KINDS } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import { authorizeToken, governed } from "../auth/token-policy.js";
import { defined, flag, list, scopeInput } from "../http/query-values.js";
import { authenticated } from "../http/request-context.js";
import {
  bearerSecurity,
  flagParam,
  problemResponses,
  queryObject,
  ruleRef,
  type ScopeQuery,
  scopeQueryProperties,
  tagListParam,
  textParam,
} from "../schemas/parameters.js";

/** Largest import body, bytes (only this route accepts more than the global limit). */
export const IMPORT_BODY_LIMIT = 5 * 1024 * 1024;

/** Content types the import route reads as raw text, and the format each implies. */
const IMPORT_MEDIA_TYPES: Record<string, ImportOptions["format"] | undefined> = {
  "text/plain": undefined,
  "application/json": "json",
  "application/yaml": "yaml",
  "application/x-yaml": "yaml",
  "text/yaml": "yaml",
};

/** JSON Schema of a list of objects with these properties (the items of a report). */
function objectList(properties: Record<string, object>) {
  return { type: "array", items: { type: "object", properties } };
}

interface ImportQuery extends ScopeQuery {
  format?: "env" | "json" | "yaml";
  dryRun?: string;
  skipExisting?: string;
  provider?: string;
  env?: string;
  tag?: string | string[];
}

interface ExportQuery {
  pattern?: string;
  tag?: string | string[];
  scope?: string;
  provider?: string;
  includeValues?: string;
}

/**
 * `POST /v1/import`, in its own plugin context: it reads the body as raw text (the .env, JSON or
 * YAML file itself) with a 5 MiB limit, while every other route takes small JSON bodies.
 */
export async function importRoute(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    Object.keys(IMPORT_MEDIA_TYPES),
    { parseAs: "string", bodyLimit: IMPORT_BODY_LIMIT },
    (_req, body, done) => done(null, body),
  );
  app.post<{ Querystring: ImportQuery; Body: string }>(
    "/v1/import",
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ["import-export"],
        operationId: "importSecrets",
        summary: "Import secrets from a .env, JSON or YAML file",
        description:
          "The body is the file itself (at most 5 MiB): `text/plain` (.env, or detected), `application/json` (flat object of name to value), `application/yaml`. `dryRun=true` reports what would change. Needs `secrets:write`; a token with a name pattern must cover every imported name (nothing is written otherwise). The report never contains values.",
        security: bearerSecurity,
        consumes: Object.keys(IMPORT_MEDIA_TYPES),
        querystring: queryObject({
          format: {
            type: "string",
            enum: ["env", "json", "yaml"],
            description: "Input format (default: from the content type, else detected).",
          },
          dryRun: flagParam("Only report what would change."),
          skipExisting: flagParam("Leave existing secrets untouched."),
          provider: ruleRef("ProviderName", "Target provider."),
          env: ruleRef("EnvName", "Env state to write."),
          tag: tagListParam("Tags added to every imported secret (repeat the parameter)."),
          ...scopeQueryProperties,
        }),
        body: { type: "string", description: "The file contents." },
        response: {
          200: {
            description: "What the import did (or would do)",
            type: "object",
            properties: {
              dryRun: { type: "boolean" },
              created: { type: "integer" },
              updated: { type: "integer" },
              skipped: { type: "integer" },
              unchanged: { type: "integer" },
              items: objectList({
                name: { type: "string" },
                action: { type: "string", enum: ["create", "update", "skip", "unchanged"] },
              }),
              warnings: { type: "array", items: { type: "string" } },
            },
          },
          ...problemResponses(409, 422, 413, 415),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const q = req.query;
      const mediaType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      const options: ImportOptions = defined({
        ...scopeInput(q),
        format: q.format ?? IMPORT_MEDIA_TYPES[mediaType],
        skipExisting: flag(q.skipExisting),
        provider: q.provider,
        env: q.env,
        tags: list(q.tag),
      });
      // The service checks every item (scopes, pattern, accessControl) and audits a refusal, but
      // writes the items before a refused one. A dry run first lets it refuse before anything is
      // written, so an import is all or nothing.
      const plan = await governed(token, "write", undefined, () =>
        coffer.import(req.body, { ...options, dryRun: true }),
      );
      // Nothing to import: the service checked nothing, so the scope is checked here.
      if (plan.items.length === 0) authorizeToken(token, "write");
      if (flag(q.dryRun) === true) return plan;
      return governed(token, "write", undefined, () => coffer.import(req.body, { ...options, dryRun: false }));
    },
  );
}

/** `GET /v1/export`. */
export async function exportRoute(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: ExportQuery }>(
    "/v1/export",
    {
      schema: {
        tags: ["import-export"],
        operationId: "exportSecrets",
        summary: "Export secret metadata (values only with the export scope)",
        description:
          "Exports metadata of the matching secrets. `includeValues=true` adds values (never of write-only secrets) and needs a token with the `export` scope; without it `secrets:read` suffices. A token with a name pattern exports only matching names.",
        security: bearerSecurity,
        querystring: queryObject({
          pattern: textParam("Name glob."),
          tag: tagListParam("Only secrets with every one of these tags."),
          scope: { type: "string", enum: [...SCOPE_KINDS], description: "Only this scope kind." },
          provider: ruleRef("ProviderName", "Only this provider."),
          includeValues: flagParam("Include values (needs the export scope)."),
        }),
        response: {
          200: {
            description: "Exported secrets",
            type: "object",
            properties: {
              items: objectList({
                name: { type: "string" },
                scope: { type: "string" },
                env: { type: "string" },
                version: { type: "integer" },
                provider: { type: "string" },
                createdAt: { type: "string", format: "date-time" },
                updatedAt: { type: "string", format: "date-time" },
                encoding: { type: "string", enum: ["utf-8", "base64"] },
                description: { type: "string" },
                tags: { type: "array", items: { type: "string" } },
                ttlSeconds: { type: "integer" },
                expiresAt: { type: "string", format: "date-time" },
                rotationFormat: { type: "string" },
                rotationPrefix: { type: "string" },
                allowedAgentIds: { type: "array", items: { type: "string" } },
                writeOnly: { type: "boolean" },
                value: { type: "string", description: "Only with includeValues=true." },
              }),
            },
          },
          ...problemResponses(503),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const q = req.query;
      const includeValues = flag(q.includeValues) === true;
      // With values the service refuses the export as a whole without the export scope (audited);
      // metadata exports are filtered per secret, so a token without secrets:read is refused here.
      if (!includeValues) authorizeToken(token, "read");
      const options: ExportOptions = defined({
        pattern: q.pattern ?? token.pattern,
        tags: list(q.tag),
        scope: q.scope as ExportOptions["scope"],
        provider: q.provider,
        includeValues,
      });
      const items = await governed(token, includeValues ? "export" : "read", undefined, () => coffer.export(options));
      return {
        items: items.map((item) => {
          if (includeValues) return item;
          const { value: _value, ...metadata } = item;
          return metadata;
        }),
      };
    },
  );
}
