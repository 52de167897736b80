import {
  type Accessor,
  type AdminResource,
  type ApiTokenInfo,
  CofferError,
  checkTokenScopes,
  isCofferError,
  matchesGlob,
  type PolicyAction,
  quoteName,
} from "@coffer/core";

// Token scopes and name patterns are enforced by the core's policy engine (the service acts as
// the token's accessor, which carries `tokenScopes` and `tokenPattern`), so a refusal is audited
// as `policy-deny` with the rule that decided. This file only adds what the service cannot do
// for the REST server: keep a token from learning about secrets it may not touch, and check the
// few requests the service does not authorize up front.

/**
 * What a REST request does, as far as token scopes are concerned:
 * - `read`: list secrets, read metadata (masked), versions, provider health
 * - `reveal`: read a plaintext value
 * - `write`: create/update, roll back, import; `rotate`: rotate
 * - `delete`: delete, restore, purge
 * - `export`: export with values
 * - `audit`: query, verify or export the audit log
 * - `approvals`: list approval requests (needs `admin`)
 */
export type TokenAction = "read" | "reveal" | "write" | "rotate" | "delete" | "export" | "audit" | "approvals";

/** The policy request each token action is (`audit` and `approvals` are `admin` on a resource). */
const POLICY_REQUEST: Record<TokenAction, { action: PolicyAction; resource?: AdminResource }> = {
  read: { action: "read" },
  reveal: { action: "reveal" },
  write: { action: "write" },
  rotate: { action: "rotate" },
  delete: { action: "delete" },
  export: { action: "export" },
  audit: { action: "admin", resource: "audit" },
  approvals: { action: "admin", resource: "approvals" },
};

/** The accessor the service acts as for a token: its name, kind `token`, its scopes and pattern. */
export function tokenAccessor(token: Pick<ApiTokenInfo, "name" | "scopes" | "pattern">): Accessor {
  return {
    id: token.name,
    kind: "token",
    frontEnd: "rest",
    tokenScopes: [...token.scopes],
    ...(token.pattern === undefined ? {} : { tokenPattern: token.pattern }),
  };
}

/** True when the token's name pattern (if any) covers this secret name (filters audit entries). */
export function tokenCoversName(token: Pick<ApiTokenInfo, "pattern">, name: string): boolean {
  return token.pattern === undefined || matchesGlob(name, token.pattern);
}

/**
 * The core's token rule applied to one request, without the service: a `PERMISSION_DENIED`
 * error worded like the service's denials, or `undefined` when the token allows it. Without a
 * name only the scope is checked (a name-less call is checked per secret by the service).
 */
export function tokenDenial(
  token: Pick<ApiTokenInfo, "name" | "scopes" | "pattern">,
  action: TokenAction,
  name?: string,
): CofferError | undefined {
  const request = POLICY_REQUEST[action];
  const accessor = tokenAccessor(name === undefined ? { ...token, pattern: undefined } : token);
  const decision = checkTokenScopes({ accessor, ...request, ...(name === undefined ? {} : { name }) });
  if (!decision) return undefined;
  const subject =
    name !== undefined
      ? `${request.action} of secret ${quoteName(name)}`
      : request.resource
        ? `${request.action} on ${request.resource}`
        : `${request.action} of secrets`;
  return new CofferError("PERMISSION_DENIED", `${subject} denied: ${decision.reason ?? "not allowed"}`, {
    ...(name === undefined ? {} : { name }),
    rule: decision.rule,
    ...(decision.details ?? {}),
  });
}

/**
 * Check a request the service does not authorize up front (listing secrets, exporting
 * metadata, provider health, listing approvals) with the core's token rule. Such a refusal is
 * not in the audit log: only the service records denials.
 * @throws CofferError PERMISSION_DENIED naming the missing scope or the pattern
 */
export function authorizeToken(
  token: Pick<ApiTokenInfo, "name" | "scopes" | "pattern">,
  action: TokenAction,
  name?: string,
): void {
  const denial = tokenDenial(token, action, name);
  if (denial) throw denial;
}

/**
 * Run a service call that the core authorizes (its refusals are audited with the rule and the
 * token's name). The service looks a secret up before it checks, so when the call fails for
 * another reason (the secret is missing, not deleted, the input is bad) while the token could
 * not have been allowed anyway, the token's denial is answered instead: a token learns nothing
 * about secrets outside its scopes or pattern.
 * @throws CofferError the service's error, or PERMISSION_DENIED as above
 */
export async function governed<T>(
  token: Pick<ApiTokenInfo, "name" | "scopes" | "pattern">,
  action: TokenAction,
  name: string | undefined,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isCofferError(err, "PERMISSION_DENIED") || isCofferError(err, "APPROVAL_REQUIRED")) throw err;
    throw tokenDenial(token, action, name) ?? err;
  }
}
