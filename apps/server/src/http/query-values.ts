import { CofferError, type ScopeInput, type ScopeKind } from "@coffer/core";
import type { WholeRange } from "../schemas/input-rules.js";
import type { ScopeQuery } from "../schemas/parameters.js";

/** A `true`/`false` query flag as a boolean (`undefined` stays undefined). */
export function flag(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value === "true";
}

/**
 * A whole-number query value within bounds.
 * @throws CofferError INVALID_ARGUMENT naming the parameter
 */
export function wholeNumber(value: string | undefined, name: string, range: WholeRange): number | undefined {
  if (value === undefined) return undefined;
  const { min, max } = range;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CofferError("INVALID_ARGUMENT", `${name} must be a whole number from ${min} to ${max}`, { field: name });
  }
  return n;
}

/** A repeatable query value as a list. */
export function list(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** The scope fields of a query as the service's `ScopeInput` (absent fields left out). */
export function scopeInput(query: ScopeQuery): ScopeInput {
  return {
    ...(query.scope === undefined ? {} : { scope: query.scope as ScopeKind }),
    ...(query.teamId === undefined ? {} : { teamId: query.teamId }),
    ...(query.orgId === undefined ? {} : { orgId: query.orgId }),
    ...(query.projectPath === undefined ? {} : { projectPath: query.projectPath }),
    ...(query.scopeId === undefined ? {} : { scopeId: query.scopeId }),
  };
}

/** Copy only the defined entries of an object (the service treats a present `undefined` like absent, but logs stay tidy). */
export function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}
