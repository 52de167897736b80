/**
 * Every case of the conformance suite, in the order the suite runs them. These are the names
 * `ConformanceOptions.skip` accepts.
 */
export const CONFORMANCE_CASE_NAMES = [
  "capabilities",
  "get-missing",
  "get-current",
  "update",
  "read-version",
  "history",
  "conditional-write",
  "concurrency",
  "delete",
  "restore",
  "purge",
  "reuse-deleted",
  "list-paging",
  "metadata",
  "binary",
  "envs",
  "scopes",
  "get-many",
  "large-value",
  "health",
] as const;

/** The name of one conformance case. */
export type ConformanceCaseName = (typeof CONFORMANCE_CASE_NAMES)[number];

/** True when `name` is the name of a conformance case. */
export function isConformanceCaseName(name: string): name is ConformanceCaseName {
  return (CONFORMANCE_CASE_NAMES as readonly string[]).includes(name);
}
