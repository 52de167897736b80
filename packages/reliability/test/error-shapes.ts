import { ERROR_CODES } from "@coffer/core";

/** Codes that bad input may legitimately produce: it is the caller's fault, never the server's. */
export const INPUT_ERROR_CODES = new Set([
  "INVALID_ARGUMENT",
  "TOO_LARGE",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "CONFLICT",
  "PERMISSION_DENIED",
  "UNAUTHENTICATED",
  "UNSUPPORTED",
  "EXPIRED",
  "APPROVAL_REQUIRED",
  "RATE_LIMITED",
]);

/** Every code Coffer defines. */
export const ALL_ERROR_CODES = new Set<string>(ERROR_CODES);

/** A JavaScript stack frame or a raw exception name: what a crash leaks into output. */
export const CRASH_TEXT =
  /^\s+at .+(:\d+:\d+\)?|\(native\))$|\b(TypeError|ReferenceError|RangeError|SyntaxError)\b|unexpected internal error/m;
