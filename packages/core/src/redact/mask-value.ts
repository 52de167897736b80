import { CofferError } from "../errors/index.js";
import { KNOWN_SECRET_PREFIXES } from "./known-prefixes.js";

/** Values this short (in characters) are masked entirely. */
export const FULLY_MASKED_MAX_LENGTH = 6;
/** Most `*` a masked value shows, however long the value. */
export const MAX_MASK_STARS = 32;
/** Least number of characters that must stay hidden for a known prefix to be shown. */
export const MIN_HIDDEN_WITH_PREFIX = 8;

/** Options of {@link maskValue}. */
export interface MaskOptions {
  /** Characters left visible at the end; never more than half the value. @default 3 */
  visibleSuffix?: number;
}

/**
 * Mask a secret for display: one `*` per hidden character (at most 32) followed by the last
 * `visibleSuffix` characters, e.g. `sk_live_***************************xyz`. A known provider
 * prefix (`sk_live_`, `sk-`, `ghp_`, `xoxb-`, ...) stays visible when at least 8 characters are
 * still hidden; values of 6 characters or fewer are masked entirely; the visible suffix is
 * capped at half the value. Counts Unicode characters, so no surrogate pair is split.
 * @throws CofferError INVALID_ARGUMENT when `visibleSuffix` is not a whole number >= 0.
 */
export function maskValue(value: string, options: MaskOptions = {}): string {
  const wanted = options.visibleSuffix ?? 3;
  if (!Number.isInteger(wanted) || wanted < 0) {
    throw new CofferError("INVALID_ARGUMENT", "visibleSuffix must be a whole number >= 0", { field: "visibleSuffix" });
  }
  const chars = Array.from(value);
  const n = chars.length;
  if (n <= FULLY_MASKED_MAX_LENGTH) return "*".repeat(n);
  const suffix = Math.min(wanted, Math.floor(n / 2));
  const prefix =
    KNOWN_SECRET_PREFIXES.find((p) => value.startsWith(p) && n - p.length - suffix >= MIN_HIDDEN_WITH_PREFIX) ?? "";
  const hidden = n - prefix.length - suffix;
  return prefix + "*".repeat(Math.min(hidden, MAX_MASK_STARS)) + chars.slice(n - suffix).join("");
}
