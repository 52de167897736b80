/** The kinds of scope a secret can live in. */
export const SCOPE_KINDS = ["global", "project", "team", "org", "user", "agent", "plugin"] as const;

/** One of the scope kinds. `global` is the default. */
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/**
 * A resolved scope: its kind and, for every kind but `global`, the identifier that keys it
 * (canonical project root, team id, org id, OS user, agent id or plugin name).
 */
export interface ScopeRef {
  /** Scope kind. */
  kind: ScopeKind;
  /** Identifier; absent only for `global`. */
  id?: string;
}

/** The global scope. */
export const GLOBAL_SCOPE: ScopeRef = Object.freeze({ kind: "global" });

/** Stable string key of a scope, used as a storage key: `global`, `project:/abs/path`, `team:x`. */
export function scopeKey(scope: ScopeRef): string {
  return scope.kind === "global" ? "global" : `${scope.kind}:${scope.id ?? ""}`;
}

/** Inverse of {@link scopeKey}. */
export function parseScopeKey(key: string): ScopeRef {
  if (key === "global") return { kind: "global" };
  const i = key.indexOf(":");
  const kind = (i < 0 ? key : key.slice(0, i)) as ScopeKind;
  return { kind, id: i < 0 ? "" : key.slice(i + 1) };
}

/** Short human label: `global`, `project`, `team:acme`. */
export function scopeLabel(scope: ScopeRef): string {
  if (scope.kind === "global" || scope.kind === "project") return scope.kind;
  return `${scope.kind}:${scope.id ?? ""}`;
}

/** True when two scope references denote the same scope. */
export function sameScope(a: ScopeRef, b: ScopeRef): boolean {
  return scopeKey(a) === scopeKey(b);
}
