import type { ErrorCode } from "@coffer/core";

/**
 * Exit code of `coffer` for each error code: the one table the CLI maps errors with
 * (documented in docs/cli.md). `coffer run` passes the child's own exit code through instead.
 */
export const EXIT_CODES: Record<ErrorCode, number> = {
  INTERNAL: 1,
  INVALID_ARGUMENT: 2,
  NOT_FOUND: 3,
  ALREADY_EXISTS: 4,
  CONFLICT: 5,
  PERMISSION_DENIED: 6,
  UNAUTHENTICATED: 7,
  EXPIRED: 8,
  UNAVAILABLE: 9,
  INTEGRITY: 10,
  UNSUPPORTED: 11,
  CONFIG: 12,
  TOO_LARGE: 13,
  APPROVAL_REQUIRED: 14,
  RATE_LIMITED: 15,
};

/** Exit code after an interrupt (Ctrl-C at a prompt). */
export const EXIT_INTERRUPTED = 130;

/** Exit code for an error code (unknown codes: 1). */
export function exitCodeFor(code: string): number {
  return (EXIT_CODES as Record<string, number>)[code] ?? 1;
}
