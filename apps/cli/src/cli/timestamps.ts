/**
 * An ISO 8601 time to the second, as tables show it: `2025-12-12T16:45:23Z`. Text that is not
 * a time is returned unchanged.
 */
export function isoSeconds(time: string): string {
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) return time;
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
