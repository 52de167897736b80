import { CofferError } from "../errors/index.js";

/**
 * Scopes an API token can carry. `admin` grants every other scope.
 * - `secrets:read`: list secrets and read metadata (masked values), versions, provider health
 * - `secrets:write`: create, update, rotate, roll back, import
 * - `secrets:reveal`: read plaintext values (with a stated purpose)
 * - `secrets:delete`: delete, restore, purge
 * - `audit:read`: query and verify the audit log
 * - `export`: export values (metadata export needs only `secrets:read`)
 */
export const TOKEN_SCOPES = [
  "secrets:read",
  "secrets:write",
  "secrets:reveal",
  "secrets:delete",
  "audit:read",
  "export",
  "admin",
] as const;

/** One API token scope. */
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** True when `value` is one of {@link TOKEN_SCOPES}. */
export function isTokenScope(value: unknown): value is TokenScope {
  return typeof value === "string" && (TOKEN_SCOPES as readonly string[]).includes(value);
}

/**
 * Validate a list of scopes: at least one, each known; duplicates are dropped and the result is
 * in the canonical order of {@link TOKEN_SCOPES}.
 * @throws CofferError INVALID_ARGUMENT naming the unknown scope and listing the valid ones
 */
export function validateTokenScopes(scopes: unknown): TokenScope[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new CofferError("INVALID_ARGUMENT", `a token needs at least one scope (valid: ${TOKEN_SCOPES.join(", ")})`, {
      field: "scopes",
    });
  }
  for (const scope of scopes) {
    if (!isTokenScope(scope)) {
      const shown = typeof scope === "string" ? JSON.stringify(scope.slice(0, 64)) : "value";
      throw new CofferError("INVALID_ARGUMENT", `unknown token scope ${shown} (valid: ${TOKEN_SCOPES.join(", ")})`, {
        field: "scopes",
        valid: [...TOKEN_SCOPES],
      });
    }
  }
  return TOKEN_SCOPES.filter((scope) => scopes.includes(scope));
}
