export { KNOWN_SECRET_PREFIXES } from "./known-prefixes.js";
export {
  FULLY_MASKED_MAX_LENGTH,
  MAX_MASK_STARS,
  type MaskOptions,
  MIN_HIDDEN_WITH_PREFIX,
  maskValue,
} from "./mask-value.js";
export { createRedactingStream } from "./redacting-stream.js";
export {
  createRedactor,
  DEFAULT_REPLACEMENT,
  MIN_REDACTED_LENGTH,
  type Redactor,
  type RedactorOptions,
  redactText,
} from "./redactor.js";
