export * from "./known-prefixes.js";
export * from "./mask-value.js";
export * from "./redacting-stream.js";
export type { Redactor, RedactorOptions } from "./redactor.js";
export { createRedactor, DEFAULT_REPLACEMENT, MIN_REDACTED_LENGTH, redactText } from "./redactor.js";
