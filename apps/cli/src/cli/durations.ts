import { CofferError } from "@coffer/core";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/**
 * Seconds in a duration like `30d`, `24h`, `90m`, `45s`, `2w`, `1y` (a bare number is seconds).
 * @throws CofferError INVALID_ARGUMENT naming the flag
 */
export function parseDurationSeconds(text: string, flag: string): number {
  const match = /^(\d+)\s*([smhdwy]?)$/i.exec(text.trim());
  if (!match) {
    throw new CofferError("INVALID_ARGUMENT", `${flag} must be a duration like 30d, 24h, 90m or a number of seconds`, {
      field: flag,
    });
  }
  const seconds = Number(match[1]) * (UNIT_SECONDS[(match[2] || "s").toLowerCase()] ?? 1);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new CofferError("INVALID_ARGUMENT", `${flag} must be a positive duration`, { field: flag });
  }
  return seconds;
}

/**
 * An expiry given as a duration from now (`30d`, `24h`) or a date (`2025-12-31`, ISO 8601),
 * as an ISO 8601 time. A bare date means the end of that day, UTC.
 * @throws CofferError INVALID_ARGUMENT naming the flag
 */
export function parseExpiry(text: string, flag: string, now: Date = new Date()): string {
  const trimmed = text.trim();
  if (/^\d+\s*[smhdwy]$/i.test(trimmed)) {
    return new Date(now.getTime() + parseDurationSeconds(trimmed, flag) * 1000).toISOString();
  }
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const ms = Date.parse(dateOnly ? `${trimmed}T23:59:59Z` : trimmed);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `${flag} must be a duration (30d, 24h) or a date (2025-12-31, 2025-12-31T12:00:00Z)`,
      { field: flag },
    );
  }
  return new Date(ms).toISOString();
}

/** Human span like `30 days`, `5 hours`, `12 minutes`, `40 seconds`. */
export function formatSpan(seconds: number): string {
  const abs = Math.abs(Math.round(seconds));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (abs >= 86_400) return unit(Math.round(abs / 86_400), "day");
  if (abs >= 3600) return unit(Math.round(abs / 3600), "hour");
  if (abs >= 60) return unit(Math.round(abs / 60), "minute");
  return unit(abs, "second");
}
