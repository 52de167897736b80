import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bin = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** The built bins of the three front ends. */
export const FRONT_END_BINS = {
  /** `coffer`. */
  cli: bin("apps/cli/dist/coffer.js"),
  /** `coffer-mcp`. */
  mcp: bin("apps/mcp/dist/coffer-mcp.js"),
  /** `coffer-server`. */
  server: bin("apps/server/dist/coffer-server.js"),
} as const;

/** One front end. */
export type FrontEnd = keyof typeof FRONT_END_BINS;

/** True when the front end's bin is built. */
export function isBuilt(frontEnd: FrontEnd): boolean {
  return existsSync(FRONT_END_BINS[frontEnd]);
}

const warned = new Set<FrontEnd>();

/**
 * Whether scenarios of a front end should run: always under CI (`CI=true`), where a missing bin
 * must fail them rather than skip them; elsewhere only when it is built, with a loud notice when
 * it is not, so a skip is never mistaken for a pass.
 */
export function frontEndAvailable(frontEnd: FrontEnd): boolean {
  const ci = process.env.CI?.toLowerCase();
  if (ci === "true" || ci === "1" || isBuilt(frontEnd)) return true;
  if (!warned.has(frontEnd)) {
    warned.add(frontEnd);
    console.warn(`!! SKIPPED: ${frontEnd} scenarios: ${FRONT_END_BINS[frontEnd]} is not built (pnpm build)`);
  }
  return false;
}
