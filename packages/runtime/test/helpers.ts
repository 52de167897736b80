import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Coffer, type CofferOptions, createCoffer, type Hook } from "@coffer/core";
import { env } from "@coffer/provider-env";
import { local } from "@coffer/provider-local";

/** A mutable clock for expiry tests. */
export function testClock(start = "2026-06-01T12:00:00.000Z") {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

/** A fresh temp dir (canonical path). */
export function tempDir(prefix = "coffer-rt-"): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** A service over a fresh local store plus an env provider, with an injectable clock. */
export function freshCoffer(
  options: Partial<CofferOptions> & { clock?: () => Date; envVars?: Record<string, string>; hooks?: Hook[] } = {},
): {
  coffer: Coffer;
  home: string;
  cwd: string;
} {
  const home = tempDir("coffer-home-");
  const cwd = options.cwd ?? tempDir("coffer-cwd-");
  const store = local({
    home,
    masterKey: Buffer.alloc(32, 7).toString("base64"),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const coffer = createCoffer({
    providers: [
      { provider: store, priority: 50 },
      { provider: env({ source: options.envVars ?? {} }), priority: 10 },
    ],
    cwd,
    env: {},
    ...options,
  });
  return { coffer, home, cwd };
}
