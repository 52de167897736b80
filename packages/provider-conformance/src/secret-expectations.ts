import {
  GLOBAL_SCOPE,
  type ScopeRef,
  type SecretMetadata,
  type StoredSecret,
  scopeKey,
  type ValueEncoding,
} from "@coffer/core";
import type { CaseContext } from "./case-context.js";
import { describeResult } from "./coffer-error-expectations.js";
import { ConformanceViolation } from "./conformance-violation.js";

/** What a returned secret or metadata record must say. Absent fields are only checked for shape. */
export interface ExpectedSecret {
  /** Secret name. */
  name: string;
  /** Exact value (only for `StoredSecret`). */
  value?: string;
  /** Exact version; when absent any integer >= 1. */
  version?: number;
  /** Value encoding. @default "utf-8" */
  encoding?: ValueEncoding;
  /** Scope. @default the global scope */
  scope?: ScopeRef;
  /** Env state; absent for the default state. */
  env?: string;
}

function fail(what: string, problem: string): never {
  throw new ConformanceViolation(`${what}: ${problem}`);
}

function isTimestamp(value: unknown): boolean {
  return typeof value === "string" && value.length > 0 && !Number.isNaN(Date.parse(value));
}

/** Describe how two values differ without printing them whole (they can be 64 KiB). */
export function describeValueDifference(actual: unknown, expected: string): string {
  if (typeof actual !== "string") return `the value is ${describeResult(actual)}, not a string`;
  if (actual.length !== expected.length) {
    return `the value has ${actual.length} characters instead of ${expected.length}`;
  }
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  return `the value differs from what was stored, first at character ${i}`;
}

/**
 * Check the metadata fields every record carries: name, scope, env, version, encoding,
 * timestamps and provider name.
 * @throws ConformanceViolation naming the operation and the wrong field
 */
export function expectMetadata(
  what: string,
  actual: unknown,
  expected: ExpectedSecret,
  ctx: CaseContext,
): asserts actual is SecretMetadata {
  if (actual === null || typeof actual !== "object")
    fail(what, `returned ${describeResult(actual)} instead of a record`);
  const record = actual as Partial<StoredSecret>;
  if (record.name !== expected.name) {
    fail(what, `name is ${JSON.stringify(record.name)}, expected ${JSON.stringify(expected.name)}`);
  }
  const scope = expected.scope ?? GLOBAL_SCOPE;
  if (record.scope === null || typeof record.scope !== "object" || scopeKey(record.scope) !== scopeKey(scope)) {
    fail(what, `scope is ${describeResult(record.scope)}, expected ${scopeKey(scope)}`);
  }
  if (record.env !== expected.env) {
    fail(
      what,
      `env is ${JSON.stringify(record.env) ?? "absent"}, expected ${expected.env === undefined ? "absent (default state)" : JSON.stringify(expected.env)}`,
    );
  }
  if (expected.version === undefined) {
    if (!Number.isInteger(record.version) || (record.version ?? 0) < 1) {
      fail(what, `version is ${describeResult(record.version)}, expected an integer >= 1`);
    }
  } else if (record.version !== expected.version) {
    fail(what, `version is ${describeResult(record.version)}, expected ${expected.version}`);
  }
  const encoding = expected.encoding ?? "utf-8";
  if (record.encoding !== encoding)
    fail(what, `encoding is ${describeResult(record.encoding)}, expected "${encoding}"`);
  if (record.provider !== ctx.provider.name) {
    fail(what, `provider is ${describeResult(record.provider)}, expected the provider name "${ctx.provider.name}"`);
  }
  if (!isTimestamp(record.createdAt))
    fail(what, `createdAt ${describeResult(record.createdAt)} is not an ISO 8601 time`);
  if (!isTimestamp(record.updatedAt))
    fail(what, `updatedAt ${describeResult(record.updatedAt)} is not an ISO 8601 time`);
}

/**
 * Check a metadata-only record (a `set` result or a list item): the fields of
 * {@link expectMetadata}, and no value.
 * @throws ConformanceViolation when a field is wrong or a value is present
 */
export function expectMetadataWithoutValue(
  what: string,
  actual: unknown,
  expected: ExpectedSecret,
  ctx: CaseContext,
): asserts actual is SecretMetadata {
  expectMetadata(what, actual, expected, ctx);
  if ("value" in actual) fail(what, "a metadata record carries a value field (values must only come back from get)");
}

/**
 * Check a secret read back: the metadata fields, and the exact value when one is expected.
 * @throws ConformanceViolation naming the operation and the wrong field
 */
export function expectStoredSecret(
  what: string,
  actual: unknown,
  expected: ExpectedSecret,
  ctx: CaseContext,
): asserts actual is StoredSecret {
  expectMetadata(what, actual, expected, ctx);
  const value = (actual as Partial<StoredSecret>).value;
  if (expected.value !== undefined && value !== expected.value) {
    fail(what, describeValueDifference(value, expected.value));
  }
  if (typeof value !== "string") fail(what, `the value is ${describeResult(value)}, not a string`);
}

/** True when `actual` is a valid timestamp. */
export function isIsoTimestamp(actual: unknown): boolean {
  return isTimestamp(actual);
}
