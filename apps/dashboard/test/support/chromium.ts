import { existsSync } from "node:fs";

/** Debian's Chromium: the only browser the tests use (never a downloaded one). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags of every launch: headless in a container, no network chatter of its own. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** True when Chromium is installed. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** True under CI, where a missing Chromium is a failure, not a skip. */
export function runningInCi(): boolean {
  return process.env.CI === "true" || process.env.CI === "1";
}
