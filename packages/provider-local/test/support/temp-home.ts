import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach } from "vitest";
import { type LocalProvider, type LocalProviderOptions, local } from "../../src/index.js";

const homes: string[] = [];
const providers: LocalProvider[] = [];

afterEach(async () => {
  for (const p of providers.splice(0)) await p.dispose();
  for (const h of homes.splice(0)) await rm(h, { recursive: true, force: true });
});

/** A fresh temporary Coffer home (never the real one), removed after the test. */
export async function tempHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "coffer-local-test-"));
  homes.push(home);
  return home;
}

/** A provider on `home` that is disposed after the test. */
export function openLocal(options: LocalProviderOptions): LocalProvider {
  const provider = local(options);
  providers.push(provider);
  return provider;
}

/** Run `fn` on a direct SQLite connection to the store file (to tamper with it like an attacker). */
export function withRawDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A clock tests can move. */
export function manualClock(start = "2030-01-01T00:00:00.000Z") {
  let now = new Date(start).getTime();
  return {
    clock: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
    now: () => new Date(now),
  };
}

/** A 32-byte key in hex for tests. */
export const TEST_KEY_HEX = "7f".repeat(16) + "a1".repeat(16);

/** The global scope. */
export const GLOBAL = { kind: "global" } as const;
