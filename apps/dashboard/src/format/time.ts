// Dates and durations as people read them.

const UNITS: Array<[seconds: number, unit: string]> = [
  [86_400 * 365, "y"],
  [86_400, "d"],
  [3_600, "h"],
  [60, "min"],
  [1, "s"],
];

/** A duration in its largest unit: `3 d`, `5 h`, `40 s`. */
export function formatDuration(seconds: number): string {
  const abs = Math.abs(seconds);
  for (const [size, unit] of UNITS) {
    if (abs >= size) return `${Math.floor(abs / size)} ${unit}`;
  }
  return "0 s";
}

/** A date and time in the reader's locale, to the minute (`seconds`: to the second). */
export function formatDateTime(iso: string | undefined, seconds = false): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: seconds ? "medium" : "short" });
}

/** A point in time relative to now: `in 3 d`, `2 h ago`. */
export function formatRelative(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "";
  const seconds = Math.round((t - now) / 1000);
  if (Math.abs(seconds) < 5) return "now";
  return seconds > 0 ? `in ${formatDuration(seconds)}` : `${formatDuration(seconds)} ago`;
}

/** A `datetime-local` input value as ISO 8601 (interpreted in the reader's time zone). */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ISO 8601 time as a `datetime-local` input value. */
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
