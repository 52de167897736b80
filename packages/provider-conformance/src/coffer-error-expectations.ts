import { ERROR_CODES, type ErrorCode, type ErrorDetails } from "@coffer/core";
import { ConformanceViolation } from "./conformance-violation.js";

/** The parts of a CofferError the suite checks (matched by shape, so duplicated copies of core still count). */
export interface ObservedCofferError {
  /** Error code. */
  code: ErrorCode;
  /** Human message. */
  message: string;
  /** Structured details. */
  details: ErrorDetails;
}

/** True when `err` is a CofferError from any copy of `@coffer/core`. */
export function isCofferErrorShaped(err: unknown): err is Error & ObservedCofferError {
  if (!(err instanceof Error) || err.name !== "CofferError") return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && (ERROR_CODES as readonly string[]).includes(code);
}

/** Short, bounded description of something that was thrown. */
export function describeThrown(err: unknown): string {
  if (isCofferErrorShaped(err)) return `CofferError ${err.code} (${JSON.stringify(truncate(err.message))})`;
  if (err instanceof Error) return `${err.name} (${JSON.stringify(truncate(err.message))}), not a CofferError`;
  return `${typeof err} ${truncate(String(err))}, not a CofferError`;
}

/** Short, bounded description of a value an operation resolved to. */
export function describeResult(result: unknown): string {
  if (result === null) return "null";
  if (result === undefined) return "undefined";
  let text: string;
  try {
    text = JSON.stringify(result) ?? String(result);
  } catch {
    text = String(result);
  }
  return truncate(text);
}

function truncate(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Fail when an error's message or details contain one of the given secret values.
 * @throws ConformanceViolation naming the operation
 */
export function expectNoValueLeak(what: string, err: ObservedCofferError, secretValues: readonly string[]): void {
  let detailsText = "";
  try {
    detailsText = JSON.stringify(err.details) ?? "";
  } catch {
    detailsText = "";
  }
  for (const value of secretValues) {
    if (value.length < 8) continue;
    if (err.message.includes(value) || detailsText.includes(value)) {
      throw new ConformanceViolation(`${what}: the ${err.code} error exposes a secret value in its message or details`);
    }
  }
}

/**
 * Run `action` and require it to reject with a CofferError carrying one of `codes`, whose
 * message and details contain none of `secretValues`.
 * @throws ConformanceViolation when it resolves, throws something else, or leaks a value
 */
export async function expectCofferError(
  what: string,
  action: () => Promise<unknown>,
  codes: ErrorCode | readonly ErrorCode[],
  secretValues: readonly string[] = [],
): Promise<ObservedCofferError> {
  const wanted: readonly ErrorCode[] = typeof codes === "string" ? [codes] : codes;
  const wantedText = wanted.join(" or ");
  let result: unknown;
  try {
    result = await action();
  } catch (err) {
    if (!isCofferErrorShaped(err)) {
      throw new ConformanceViolation(`${what}: expected CofferError ${wantedText}, got ${describeThrown(err)}`);
    }
    if (!wanted.includes(err.code)) {
      throw new ConformanceViolation(`${what}: expected CofferError ${wantedText}, got ${describeThrown(err)}`);
    }
    expectNoValueLeak(what, err, secretValues);
    return err;
  }
  throw new ConformanceViolation(
    `${what}: expected CofferError ${wantedText}, but it succeeded and returned ${describeResult(result)}`,
  );
}
