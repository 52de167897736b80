import type { ScopeRef } from "@coffer/core";

/** Where a secret lives: name, scope and (optionally) provider. */
export interface SecretAddress {
  /** Secret name (may contain `/`). */
  name: string;
  /** Its scope. */
  scope: ScopeRef;
  /** Provider holding it; absent: the first that does. */
  provider?: string;
}

/** The REST scope parameters that address a scope exactly (`scope=team&teamId=acme`). */
export function scopeQuery(scope: ScopeRef): Record<string, string> {
  const query: Record<string, string> = { scope: scope.kind };
  if (scope.id === undefined || scope.kind === "global") return query;
  switch (scope.kind) {
    case "project":
      query.projectPath = scope.id;
      break;
    case "team":
      query.teamId = scope.id;
      break;
    case "org":
      query.orgId = scope.id;
      break;
    default:
      query.scopeId = scope.id;
  }
  return query;
}

/** The REST query of an address: its scope parameters and provider. */
export function addressQuery(address: SecretAddress): Record<string, string> {
  return { ...scopeQuery(address.scope), ...(address.provider ? { provider: address.provider } : {}) };
}

/** The label of a scope as people read it: `global`, `project /srv/app`, `team acme`. */
export function scopeText(scope: ScopeRef): string {
  return scope.kind === "global" || scope.id === undefined ? scope.kind : `${scope.kind} ${scope.id}`;
}

/** Two addresses denote the same secret. */
export function sameAddress(a: SecretAddress, b: SecretAddress): boolean {
  return a.name === b.name && a.scope.kind === b.scope.kind && (a.scope.id ?? "") === (b.scope.id ?? "");
}
