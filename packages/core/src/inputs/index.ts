export {
  checkNumericInput,
  describeRange,
  NUMERIC_RANGES,
  type NumericInput,
  type NumericRange,
  parseNumericInput,
} from "./numeric-ranges.js";
export { normalizeTimestamp, parseDuration, parseExpiry, parseTimestamp } from "./time-input.js";
