import { CofferError, toCofferError } from "@coffer/core";
import { exitCodeFor } from "./exit-codes.js";
import type { Style } from "./style.js";

/** The `error` member of a failed `--json` envelope. */
export interface JsonError {
  /** Error code (see the exit code table). */
  code: string;
  /** One-line message, never a value. */
  message: string;
  /** What to do about it. */
  hint?: string;
}

/** A thrown value as a CofferError (foreign errors become INTERNAL with a generic message). */
export function asCofferError(err: unknown): CofferError {
  return err instanceof CofferError ? err : toCofferError(err);
}

/** The exit code for a thrown value (a spawn failure carries its own, like 127). */
export function exitCodeOf(err: CofferError): number {
  const own = err.details.exitCode;
  return typeof own === "number" && Number.isInteger(own) ? own : exitCodeFor(err.code);
}

/** The JSON form of an error. */
export function jsonErrorOf(err: CofferError): JsonError {
  const hint = typeof err.details.hint === "string" ? err.details.hint : undefined;
  return hint ? { code: err.code, message: err.message, hint } : { code: err.code, message: err.message };
}

/**
 * Lines for stderr: `✗ Error: message`, a hint line, and the stack of the original error with
 * `--debug` (only then).
 */
export function errorLines(err: CofferError, style: Style, debug: boolean): string[] {
  const lines = [`${style.red("✗ Error:")} ${err.message}`];
  const hint = typeof err.details.hint === "string" ? err.details.hint : undefined;
  if (hint) lines.push(`  ${style.dim(`hint: ${hint}`)}`);
  if (err.code === "INTERNAL" && !debug) lines.push(`  ${style.dim("run again with --debug for details")}`);
  if (debug) {
    const cause = err.cause instanceof Error ? err.cause : err;
    if (cause.stack) lines.push(style.dim(cause.stack));
  }
  return lines;
}
