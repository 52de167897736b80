import { type ApiTokenInfo, CofferError, matchesGlob, quoteName, type TokenScope } from "@coffer/core";

/**
 * What a REST request does, as far as token scopes are concerned:
 * - `read`: list secrets, read metadata (masked), versions, provider health
 * - `reveal`: read a plaintext value
 * - `write`: create/update, rotate, roll back, import
 * - `delete`: delete, restore, purge
 * - `audit`: query or verify the audit log
 * - `export`: export with values
 */
export type TokenAction = "read" | "reveal" | "write" | "delete" | "audit" | "export";

/** The scope each action needs (`admin` grants all). */
export const SCOPE_FOR_ACTION: Record<TokenAction, TokenScope> = {
  read: "secrets:read",
  reveal: "secrets:reveal",
  write: "secrets:write",
  delete: "secrets:delete",
  audit: "audit:read",
  export: "export",
};

/** True when the token's name pattern (if any) covers this secret name. */
export function tokenCoversName(token: Pick<ApiTokenInfo, "pattern">, name: string): boolean {
  return token.pattern === undefined || matchesGlob(name, token.pattern);
}

/**
 * The REST server's one token policy check: the token must hold the action's scope (or
 * `admin`), and a secret name, when the action concerns one, must match the token's pattern.
 * @throws CofferError PERMISSION_DENIED naming the missing scope or the pattern
 */
export function authorizeToken(
  token: Pick<ApiTokenInfo, "name" | "scopes" | "pattern">,
  action: TokenAction,
  name?: string,
): void {
  const needed = SCOPE_FOR_ACTION[action];
  if (!token.scopes.includes(needed) && !token.scopes.includes("admin")) {
    throw new CofferError("PERMISSION_DENIED", `token ${quoteName(token.name)} lacks the scope ${needed}`, {
      rule: `token-scope:${needed}`,
      requiredScope: needed,
    });
  }
  if (name !== undefined && !tokenCoversName(token, name)) {
    throw new CofferError(
      "PERMISSION_DENIED",
      `token ${quoteName(token.name)} may only access secrets matching ${quoteName(token.pattern ?? "*")}`,
      { name, rule: "token-pattern" },
    );
  }
}
