import { CofferError } from "../errors/index.js";
import { type ScanOp, SecretMatcher } from "./secret-matcher.js";

/** Values shorter than this (in UTF-16 units) are not redacted: they would mask ordinary text. */
export const MIN_REDACTED_LENGTH = 4;
/** Replacement written for a value without a name. */
export const DEFAULT_REPLACEMENT = "[REDACTED]";
/** Written instead when a replacement would itself contain a secret value (shorter than any value). */
const FALLBACK_REPLACEMENT = "***";

/** Options of {@link createRedactor} and {@link redactText}. */
export interface RedactorOptions {
  /** Names of values (value -> name); a named value is replaced by `[REDACTED:NAME]`. */
  names?: ReadonlyMap<string, string>;
  /** Replacement of values without a name. @default "[REDACTED]" */
  replacement?: string;
}

/** A streaming masker: feed chunks in order, then flush once at the end. */
export interface Redactor {
  /** Mask a chunk; returns the text that is decided so far (possibly shorter than the input). */
  transform(chunk: string): string;
  /** End of input: returns the text still held back, masked. The redactor can then be reused. */
  flush(): string;
}

/** The values and replacements a redactor works with, after validation and dedup. */
export interface RedactionPlan {
  /** Values to mask, each at least {@link MIN_REDACTED_LENGTH} long, distinct. */
  values: string[];
  /** Replacement of each value, same order. */
  replacements: string[];
}

/**
 * Validate the values and pick each one's replacement. Values shorter than 4 characters and
 * empty ones are ignored; a replacement that would contain a secret value falls back to `***`.
 * @throws CofferError INVALID_ARGUMENT when a value, name or replacement is not a string.
 */
export function planRedaction(values: Iterable<string>, options: RedactorOptions = {}): RedactionPlan {
  const fallback = options.replacement ?? DEFAULT_REPLACEMENT;
  if (typeof fallback !== "string") {
    throw new CofferError("INVALID_ARGUMENT", "replacement must be a string", { field: "replacement" });
  }
  const unique = new Set<string>();
  for (const value of values) {
    if (typeof value !== "string") {
      throw new CofferError("INVALID_ARGUMENT", "values to redact must be strings", { field: "values" });
    }
    if (value.length >= MIN_REDACTED_LENGTH) unique.add(value);
  }
  const list = [...unique];
  const replacements = list.map((value) => {
    const name = options.names?.get(value);
    if (name !== undefined && typeof name !== "string") {
      throw new CofferError("INVALID_ARGUMENT", "names of redacted values must be strings", { field: "names" });
    }
    const replacement = name === undefined ? fallback : `[REDACTED:${name}]`;
    return list.some((v) => replacement.includes(v)) ? FALLBACK_REPLACEMENT : replacement;
  });
  return { values: list, replacements };
}

/** Assemble the output of a scan over a string. */
export function renderOps(text: string, ops: readonly ScanOp[], replacements: readonly string[]): string {
  let out = "";
  for (const op of ops) out += op.kind === "text" ? text.slice(op.start, op.end) : replacements[op.id];
  return out;
}

/**
 * A streaming masker for text such as a child process's output: every occurrence of a value is
 * replaced, even when split across chunks, and text is released as soon as it cannot be part of
 * a value (at most the longest value's length minus one character is held back). Only exact
 * values are masked (not their base64 or hex forms); values shorter than 4 characters are
 * ignored. Overlapping occurrences become one replacement.
 * @throws CofferError INVALID_ARGUMENT when a value, name or replacement is not a string.
 */
export function createRedactor(values: Iterable<string>, options: RedactorOptions = {}): Redactor {
  const plan = planRedaction(values, options);
  const matcher = new SecretMatcher(
    plan.values.map((v) => Array.from({ length: v.length }, (_, i) => v.charCodeAt(i))),
  );
  let held = "";
  const run = (chunk: string, final: boolean): string => {
    if (typeof chunk !== "string") {
      throw new CofferError("INVALID_ARGUMENT", "redactor input must be a string", { field: "chunk" });
    }
    const text = held + chunk;
    const { ops, consumed } = matcher.scan({ length: text.length, unitAt: (i) => text.charCodeAt(i) }, final);
    held = text.slice(consumed);
    return renderOps(text, ops, plan.replacements);
  };
  return { transform: (chunk) => run(chunk, false), flush: () => run("", true) };
}

/** Mask every value in a whole text at once (same rules as {@link createRedactor}). */
export function redactText(text: string, values: Iterable<string>, options: RedactorOptions = {}): string {
  const redactor = createRedactor(values, options);
  return redactor.transform(text) + redactor.flush();
}
