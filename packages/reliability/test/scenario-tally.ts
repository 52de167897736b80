/** Counts a scenario reports for the summary table. */
export interface Tally {
  /** Operations the scenario performed (writes, reads, calls, kills...). */
  operations: number;
  /** Invariant violations it found (a passing test reports 0). */
  failures?: number;
}

/** Attach a scenario's counts to its test, for the summary reporter. */
export function tally(context: { task: { meta: object } }, counts: Tally): void {
  const meta = context.task.meta as { operations?: number; failures?: number };
  meta.operations = (meta.operations ?? 0) + counts.operations;
  meta.failures = (meta.failures ?? 0) + (counts.failures ?? 0);
}
