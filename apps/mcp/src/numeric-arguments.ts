import { describeRange, NUMERIC_RANGES, type NumericInput } from "@coffer/core";
import * as z from "zod";

/**
 * A whole-number tool argument bounded by core's range for that input (`NUMERIC_RANGES`), so
 * the schema the model sees and the check the service makes are the same; outside it the call
 * fails with INVALID_ARGUMENT before anything runs.
 */
export function rangedInteger(input: NumericInput) {
  const range = NUMERIC_RANGES[input];
  return z.number().int().min(range.min).max(range.max);
}

/** ` (from 1 to 1000)`: a range appended to an argument's description. */
export function rangeText(input: NumericInput): string {
  return ` (${describeRange(NUMERIC_RANGES[input])})`;
}
