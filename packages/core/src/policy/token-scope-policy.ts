import { cachedGlob } from "../names/name-glob.js";
import { quoteName } from "../names/secret-name.js";
import { TOKEN_SCOPES, type TokenScope } from "../tokens/token-scopes.js";
import type { GovernedPolicyRequest } from "./governed-policy-request.js";
import type { PolicyAction, PolicyDecision } from "./policy.js";

/**
 * The token scope each action needs (`admin` grants every scope):
 * - `read` -> `secrets:read`; `reveal` -> `secrets:reveal`; `write`, `rotate` -> `secrets:write`;
 * - `delete` (also restore and purge) -> `secrets:delete`; `export` (with values) -> `export`;
 * - `exec` -> `secrets:reveal` (injecting values into a process hands them out);
 * - `admin` -> `audit:read` for the audit log (`resource` `audit` or none), else `admin`.
 */
export const TOKEN_SCOPE_FOR_ACTION: Record<Exclude<PolicyAction, "admin">, TokenScope> = {
  read: "secrets:read",
  reveal: "secrets:reveal",
  write: "secrets:write",
  rotate: "secrets:write",
  delete: "secrets:delete",
  export: "export",
  exec: "secrets:reveal",
};

/** The scope a request needs from a token. */
export function requiredTokenScope(request: Pick<GovernedPolicyRequest, "action" | "resource">): TokenScope {
  if (request.action === "admin")
    return request.resource === undefined || request.resource === "audit" ? "audit:read" : "admin";
  return TOKEN_SCOPE_FOR_ACTION[request.action];
}

/**
 * Check a request against the accessor's token scopes and name pattern. Applies to accessors of
 * kind `token` (no scopes = no access) and to any accessor carrying `tokenScopes`. Returns a
 * denial, or `undefined` when the token allows the request (or the accessor is no token).
 *
 * A pattern-restricted token may make name-less requests only for actions checked again per
 * secret (read, reveal, export, exec) and audit reads; a name-less write (import) is refused,
 * because the token's pattern could not be applied to what it writes.
 */
export function checkTokenScopes(request: GovernedPolicyRequest): PolicyDecision | undefined {
  const { accessor } = request;
  if (accessor.kind !== "token" && accessor.tokenScopes === undefined) return undefined;
  const scopes = accessor.tokenScopes ?? [];
  const needed = requiredTokenScope(request);
  if (!scopes.includes(needed) && !scopes.includes("admin")) {
    return {
      allowed: false,
      rule: `token-scope:${needed}`,
      reason: `token ${quoteName(accessor.id)} lacks the scope ${needed} (it has: ${scopes.filter((s) => (TOKEN_SCOPES as readonly string[]).includes(s)).join(", ") || "none"})`,
      details: { requiredScope: needed },
    };
  }
  const pattern = accessor.tokenPattern;
  if (pattern !== undefined && request.action !== "admin") {
    if (request.name === undefined) {
      if (request.action === "write" || request.action === "delete" || request.action === "rotate") {
        return {
          allowed: false,
          rule: "token-pattern",
          reason: `token ${quoteName(accessor.id)} may only access secrets matching ${quoteName(pattern)}, so it cannot make bulk ${request.action}s`,
        };
      }
    } else if (!cachedGlob(pattern).test(request.name)) {
      return {
        allowed: false,
        rule: "token-pattern",
        reason: `token ${quoteName(accessor.id)} may only access secrets matching ${quoteName(pattern)}`,
      };
    }
  }
  return undefined;
}
