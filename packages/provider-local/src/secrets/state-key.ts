import {
  CofferError,
  quoteName,
  SCOPE_KINDS,
  type ScopeRef,
  type SecretAddress,
  scopeKey,
  validateEnvName,
} from "@coffer/core";

/** The row key of one secret state: scope key, name, and env ('' for the default state). */
export interface StateKey {
  /** `scopeKey()` of the scope. */
  scope: string;
  /** Secret name. */
  name: string;
  /** Env state, '' for the default. */
  env: string;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Check a secret name just enough for storage (the service applies the naming rule). */
export function checkName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0 || name.length > 256 || CONTROL.test(name)) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      typeof name === "string" && name.length > 0
        ? `secret name ${quoteName(name)} is not storable (1-256 characters, no control characters)`
        : "secret name is required",
      { field: "name" },
    );
  }
  return name;
}

/** Check a scope reference and return its storage key. @throws CofferError INVALID_ARGUMENT */
export function checkScope(scope: unknown): string {
  const s = scope as ScopeRef | null | undefined;
  if (!s || typeof s !== "object" || !(SCOPE_KINDS as readonly string[]).includes(s.kind)) {
    throw new CofferError("INVALID_ARGUMENT", `scope must be one of ${SCOPE_KINDS.join(", ")}`, { field: "scope" });
  }
  if (s.kind !== "global" && (typeof s.id !== "string" || s.id.length === 0 || CONTROL.test(s.id))) {
    throw new CofferError("INVALID_ARGUMENT", `scope ${s.kind} needs an id`, { field: "scope" });
  }
  return scopeKey(s);
}

/** Check an address and turn it into a row key. @throws CofferError INVALID_ARGUMENT */
export function toStateKey(address: SecretAddress): StateKey {
  if (!address || typeof address !== "object") {
    throw new CofferError("INVALID_ARGUMENT", "secret address is required", { field: "name" });
  }
  return {
    scope: checkScope(address.scope),
    name: checkName(address.name),
    env: address.env === undefined ? "" : validateEnvName(address.env),
  };
}

/** Human description of a state for messages: `"API_KEY"` or `"API_KEY" (env prod)`. */
export function describeState(key: { name: string; env: string }): string {
  return key.env === "" ? `secret ${quoteName(key.name)}` : `secret ${quoteName(key.name)} (env ${key.env})`;
}
