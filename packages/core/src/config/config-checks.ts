import { CofferError } from "../errors/index.js";

/**
 * Field checks shared by the governance config validators. Every failure is a `CONFIG` error
 * naming the file (or layer) and the dotted path of the field, and listing the valid choices.
 */

/** True for a plain mapping (not null, not a list). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A CONFIG error for `path` in `source`. */
export function configError(
  source: string,
  path: string,
  message: string,
  details: Record<string, unknown> = {},
): CofferError {
  return new CofferError("CONFIG", `${source}: ${path} ${message}`, { field: path, ...details });
}

/**
 * Check that a mapping holds only known keys.
 * @throws CofferError CONFIG naming the unknown key and listing the valid ones
 */
export function expectKnownKeys(
  value: Record<string, unknown>,
  valid: readonly string[],
  source: string,
  path: string,
): void {
  for (const key of Object.keys(value)) {
    if (!valid.includes(key)) {
      throw new CofferError("CONFIG", `${source}: unknown key "${path}.${key}"; valid keys are: ${valid.join(", ")}`, {
        field: `${path}.${key}`,
        valid: [...valid],
      });
    }
  }
}

/** A mapping at `path`. @throws CofferError CONFIG */
export function expectMapping(value: unknown, source: string, path: string): Record<string, unknown> {
  if (!isMapping(value)) throw configError(source, path, "must be a mapping");
  return value;
}

/** A boolean at `path`, or the default when absent. @throws CofferError CONFIG */
export function optionalBoolean(value: unknown, source: string, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw configError(source, path, "must be true or false");
  return value;
}

/** A non-empty string at `path` (at most `max` characters). @throws CofferError CONFIG */
export function expectText(value: unknown, source: string, path: string, max = 512): string {
  if (typeof value !== "string" || value.trim().length === 0 || value.length > max) {
    throw configError(source, path, `must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

/** A whole number in `[min, max]` at `path`, or the default when absent. @throws CofferError CONFIG */
export function optionalWholeNumber(
  value: unknown,
  source: string,
  path: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw configError(source, path, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A list of non-empty strings at `path` (undefined when absent). @throws CofferError CONFIG */
export function optionalTextList(value: unknown, source: string, path: string, max = 256): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw configError(source, path, "must be a list of strings");
  return value.map((item, i) => expectText(item, source, `${path}[${i}]`, max));
}

/**
 * A list whose items are all in `valid` (undefined when absent).
 * @throws CofferError CONFIG naming the unknown item and listing the valid ones
 */
export function optionalChoiceList<T extends string>(
  value: unknown,
  valid: readonly T[],
  source: string,
  path: string,
  what: string,
): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value))
    throw configError(source, path, `must be a list of ${what}s; valid ${what}s are: ${valid.join(", ")}`);
  const out: T[] = [];
  for (const [i, item] of value.entries()) {
    if (typeof item !== "string" || !(valid as readonly string[]).includes(item)) {
      const shown = typeof item === "string" ? JSON.stringify(item.slice(0, 64)) : "value";
      throw new CofferError(
        "CONFIG",
        `${source}: ${path}[${i}] is an unknown ${what} ${shown}; valid ${what}s are: ${valid.join(", ")}`,
        {
          field: `${path}[${i}]`,
          valid: [...valid],
        },
      );
    }
    if (!out.includes(item as T)) out.push(item as T);
  }
  return out;
}
