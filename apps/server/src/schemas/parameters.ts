import { SCOPE_KINDS } from "@coffer/core";

// Request-side schema fragments. Query strings are validated as text (no type coercion, so a
// JSON body is never silently coerced either); handlers convert with `query-values.ts`.

/** A `true`/`false` query flag. */
export const flagParam = (description: string) => ({ type: "string", enum: ["true", "false"], description }) as const;
/** A whole-number query parameter. */
export const wholeNumberParam = (description: string) =>
  ({ type: "string", pattern: "^[0-9]{1,9}$", description }) as const;
/** A short text query parameter. */
export const textParam = (description: string, maxLength = 256) =>
  ({ type: "string", minLength: 1, maxLength, description }) as const;
/** A repeatable query parameter (`?tag=a&tag=b`). */
export const repeatableParam = (description: string) =>
  ({
    anyOf: [
      { type: "string", minLength: 1, maxLength: 128 },
      { type: "array", maxItems: 64, items: { type: "string", minLength: 1, maxLength: 128 } },
    ],
    description,
  }) as const;

/** Where a call addresses a secret (`ScopeInput`). */
export const scopeQueryProperties = {
  scope: {
    type: "string",
    enum: [...SCOPE_KINDS],
    description: "Scope kind. Reads without it cascade project -> team -> org -> global; writes default to global.",
  },
  teamId: textParam("Team id (team scope; enables the team step of the read cascade)."),
  orgId: textParam("Org id (org scope; enables the org step of the read cascade)."),
  projectPath: textParam("Project directory for project scope (default: the server's working directory).", 4096),
  scopeId: textParam("Id for agent, plugin and user scopes."),
} as const;

/** The query fields of {@link scopeQueryProperties}, as the handler receives them. */
export interface ScopeQuery {
  scope?: string;
  teamId?: string;
  orgId?: string;
  projectPath?: string;
  scopeId?: string;
}

/** `name` path parameter. */
export const nameParams = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name: {
      type: "string",
      minLength: 1,
      maxLength: 256,
      description: "Secret name. Encode `/` as `%2F` (`openai%2Fdefault_api_key`).",
    },
  },
} as const;

/** A strict query-string object schema. */
export const queryObject = (properties: Record<string, unknown>) =>
  ({ type: "object", additionalProperties: false, properties }) as const;

/** Security requirement of every `/v1` route. */
export const bearerSecurity = [{ bearerAuth: [] }];

/** Error responses every `/v1` route can give. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set([400, 401, 403, 429, ...statuses])]
      .sort((a, b) => a - b)
      .map((status) => [
        status,
        {
          description: PROBLEM_DESCRIPTIONS[status] ?? "Error",
          content: { "application/problem+json": { schema: { $ref: "Problem#" } } },
        },
      ]),
  );

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request, invalid argument or unknown field",
  401: "Missing, invalid, expired or revoked token",
  403: "Token lacks the scope or its name pattern does not cover the secret",
  404: "No such secret",
  409: "Already exists, or conflicting state",
  412: "If-Match version does not match the current version",
  413: "Body or value too large",
  415: "Unsupported content type",
  422: "Secret expired, or operation unsupported by the provider",
  429: "Rate limited (see Retry-After)",
  503: "Provider unavailable",
};
