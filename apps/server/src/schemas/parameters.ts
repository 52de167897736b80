import { SCOPE_KINDS } from "@coffer/core";
import { NOT_BLANK_PATTERN, projectPathPattern } from "./input-rules.js";

// Request-side schema fragments. Query strings are validated as text (no type coercion, so a
// JSON body is never silently coerced either); handlers convert with `query-values.ts`. Every
// rule comes from `input-rules.ts`.

/** A `true`/`false` query flag. */
export const flagParam = (description: string) => ({ type: "string", enum: ["true", "false"], description }) as const;
/** A short text query parameter. */
export const textParam = (description: string, maxLength = 256) =>
  ({ type: "string", minLength: 1, maxLength, description }) as const;
/** A repeatable tag query parameter (`?tag=a&tag=b`). */
export const tagListParam = (description: string) =>
  ({
    anyOf: [{ $ref: "Tag#" }, { type: "array", minItems: 1, maxItems: 50, items: { $ref: "Tag#" } }],
    description,
  }) as const;
/** A reference to a shared schema of `input-rules.ts`, with a description of this use. */
export const ruleRef = (id: string, description: string) => ({ $ref: `${id}#`, description }) as const;
/** A purpose of a reveal: 1-500 characters, not only spaces. */
export const purposeSchema = (description: string) =>
  ({ type: "string", minLength: 1, maxLength: 500, pattern: NOT_BLANK_PATTERN, description }) as const;

/** Where a call addresses a secret (`ScopeInput`). */
export const scopeQueryProperties = {
  scope: {
    type: "string",
    enum: [...SCOPE_KINDS],
    description:
      "Scope kind. Reads without it cascade project -> team -> org -> global; writes default to global. `team` needs `teamId` (or a configured team), `org` needs `orgId` (or a configured org), `plugin` needs `scopeId`, `agent` needs `scopeId` unless the caller is an agent; otherwise 400.",
  },
  teamId: ruleRef("ScopeId", "Team id (team scope; enables the team step of the read cascade)."),
  orgId: ruleRef("ScopeId", "Org id (org scope; enables the org step of the read cascade)."),
  projectPath: {
    type: "string",
    minLength: 1,
    maxLength: 4096,
    pattern: projectPathPattern(),
    description:
      "Project directory for project scope (default: the server's working directory): an absolute path without control characters.",
  },
  scopeId: ruleRef("ScopeId", "Id for agent, plugin and user scopes."),
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
  properties: { name: { $ref: "SecretName#" } },
} as const;

/** A strict query-string object schema: unknown parameters are refused. */
export const queryObject = (properties: Record<string, unknown>) =>
  ({ type: "object", additionalProperties: false, properties }) as const;

/** Security requirement of every `/v1` route. */
export const bearerSecurity = [{ bearerAuth: [] }];

/** Statuses every route can answer: bad input, wrong method, oversized headers, rate limits, shutdown. */
const ANY_ROUTE = [400, 405, 429, 431, 503];
/** Statuses every `/v1` route adds: authentication and authorization. */
const V1_ROUTE = [401, 403];

/** The problem responses of a route, with the statuses it adds to those of every route. */
function problemsOf(statuses: number[]) {
  return Object.fromEntries(
    [...new Set(statuses)]
      .sort((a, b) => a - b)
      .map((status) => [
        status,
        {
          description: PROBLEM_DESCRIPTIONS[status] ?? "Error",
          content: { "application/problem+json": { schema: { $ref: "Problem#" } } },
        },
      ]),
  );
}

/** Error responses of a `/v1` route: those of every route plus the given ones. */
export const problemResponses = (...statuses: number[]) => problemsOf([...ANY_ROUTE, ...V1_ROUTE, ...statuses]);

/** Error responses of an unauthenticated route. */
export const publicProblemResponses = (...statuses: number[]) => problemsOf([...ANY_ROUTE, ...statuses]);

/** Error responses of a route with a JSON body: too large, wrong content type. */
export const BODY_STATUSES = [413, 415] as const;

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request, invalid argument, unknown field or unknown query parameter",
  401: "Missing, invalid, expired or revoked token",
  403: "Token lacks the scope or its name pattern does not cover the secret, or an approval is required",
  404: "No such secret",
  405: "Method not allowed on this path (see Allow)",
  409: "Already exists, or conflicting state",
  412: "If-Match version does not match the current version",
  413: "Body or value too large",
  415: "Unsupported content type",
  422: "Secret expired, or operation unsupported by the provider",
  429: "Rate limited (see Retry-After)",
  431: "Request headers too large",
  500: "Integrity failure or unexpected internal error",
  503: "Provider unavailable, server misconfigured, or shutting down",
};
