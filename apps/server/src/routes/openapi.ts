import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { SHARED_SCHEMAS } from "../schemas/components.js";
import { type InputRuleSettings, inputRuleSchemas } from "../schemas/input-rules.js";

interface OpenApiDocument {
  paths?: Record<
    string,
    Record<
      string,
      {
        requestBody?: {
          required?: boolean;
          content?: Record<string, { schema?: { type?: string; required?: unknown[] } }>;
        };
      }
    >
  >;
}

/** A JSON body whose schema requires no property may be left out (restore, rotate): say so. */
function markOptionalBodies(document: OpenApiDocument): OpenApiDocument {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const schema = operation.requestBody?.content?.["application/json"]?.schema;
      if (
        operation.requestBody &&
        schema?.type === "object" &&
        !(Array.isArray(schema.required) && schema.required.length > 0)
      ) {
        operation.requestBody.required = false;
      }
    }
  }
  return document;
}

/** Options of {@link registerOpenApi}. */
export interface OpenApiOptions {
  /** API version shown in the document. */
  version: string;
  /**
   * Directory of the reference page's static assets.
   * @default the assets inside @fastify/swagger-ui (the bundled bin passes its copy)
   */
  assetsDir?: string;
  /** What the input rules depend on (naming rule, provider names). */
  rules: InputRuleSettings;
}

/**
 * Register the shared schemas and the OpenAPI 3.1 generator (from the route schemas), served
 * at `/openapi.json`, plus the reference page at `/docs` from local assets (no CDN). Must be
 * registered before the routes it documents.
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  for (const schema of [...SHARED_SCHEMAS, ...inputRuleSchemas(options.rules)]) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Coffer REST API",
        version: options.version,
        description:
          "Secrets for developers and AI agents over HTTP. Every `/v1` route needs `Authorization: Bearer <token>` (create tokens with `coffer token create`). Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`. Secret names containing `/` are sent URL-encoded (`%2F`).",
        license: { name: "MIT", identifier: "MIT" },
      },
      // Relative: the document is served by the server it describes, wherever it listens.
      servers: [{ url: "/", description: "The server serving this document" }],
      tags: [
        { name: "secrets", description: "Read, write, delete, rotate and version secrets" },
        { name: "import-export", description: "Bulk import and export" },
        { name: "audit", description: "Audit log" },
        { name: "approvals", description: "Human approvals of sensitive actions (read-only here)" },
        { name: "providers", description: "Storage providers" },
        { name: "health", description: "Liveness" },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            description: "An API token (`cfr_...`) from `coffer token create`.",
          },
        },
      },
    },
    transformObject: (documentObject) =>
      "openapiObject" in documentObject
        ? (markOptionalBodies(documentObject.openapiObject as OpenApiDocument) as typeof documentObject.openapiObject)
        : documentObject.swaggerObject,
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    ...(options.assetsDir === undefined ? {} : { baseDir: options.assetsDir }),
    uiConfig: { deepLinking: true, validatorUrl: null },
    // Everything from this server: no CDN, no validator badge, no external fonts.
    staticCSP:
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    theme: { title: "Coffer REST API" },
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
