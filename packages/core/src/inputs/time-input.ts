import { CofferError } from "../errors/index.js";
import { checkNumericInput, type NumericRange } from "./numeric-ranges.js";

/** Seconds per duration unit: `s`, `m`, `h`, `d`, `w`, `y` (365 days). */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
};

const DURATION = /^(\d{1,16})\s*([smhdwy]?)$/i;
// YYYY-MM-DD, optionally followed by a time and a zone (`Z` or an offset; required with a time).
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2}))?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Seconds in a duration: `30d`, `24h`, `90m`, `45s`, `2w`, `1y` (365 days); a bare number is
 * seconds. The result is checked against `range`.
 * @throws CofferError INVALID_ARGUMENT naming `field` for other text or a duration outside the range
 */
export function parseDuration(text: string, field: string, range: NumericRange): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new CofferError("INVALID_ARGUMENT", `${field} must be a duration like 30d, 24h, 90m or a number of seconds`, {
      field,
    });
  }
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] || "s").toLowerCase()]!;
  return checkNumericInput(range, seconds, field);
}

/**
 * A point in time given as `YYYY-MM-DD` or an RFC 3339 date-time with a zone
 * (`2026-12-31T12:00:00Z`, `2026-12-31T12:00:00+02:00`), as ISO 8601 UTC. A bare date is
 * midnight UTC at the start of that day (`2026-12-31` -> `2026-12-31T00:00:00.000Z`): an
 * expiry given as a date takes effect as that day begins. Impossible dates (`2026-02-30`) and
 * times are refused.
 * @returns the ISO time, or undefined when the text is not such a time
 */
export function parseTimestamp(text: string): string | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return undefined;
  const zone = m[7];
  if (zone !== undefined && !/^[Zz]$/.test(zone) && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(-2)) > 59))
    return undefined;
  const time = Date.parse(m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : text.replace(" ", "T"));
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * A timestamp input, surrounding spaces ignored (see {@link parseTimestamp}).
 * @throws CofferError INVALID_ARGUMENT naming `field` when it is not one
 */
export function normalizeTimestamp(value: unknown, field: string): string {
  const iso = typeof value === "string" ? parseTimestamp(value.trim()) : undefined;
  if (iso === undefined) {
    throw new CofferError("INVALID_ARGUMENT", `${field} must be an RFC 3339 date-time or a YYYY-MM-DD date`, { field });
  }
  return iso;
}

/**
 * An expiry given as a duration from `now` (`30d`, `24h`, see {@link parseDuration}) or a
 * point in time (see {@link parseTimestamp}: a bare date is the start of that day, UTC).
 * @throws CofferError INVALID_ARGUMENT naming `field`
 */
export function parseExpiry(text: string, field: string, range: NumericRange, now: Date = new Date()): string {
  const trimmed = text.trim();
  if (/^\d+\s*[smhdwy]$/i.test(trimmed)) {
    return new Date(now.getTime() + parseDuration(trimmed, field, range) * 1000).toISOString();
  }
  const iso = parseTimestamp(trimmed);
  if (iso === undefined) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `${field} must be a duration (30d, 24h) or a date (2026-12-31, 2026-12-31T12:00:00Z)`,
      { field },
    );
  }
  return iso;
}
