import { createHmac, type KeyObject, timingSafeEqual } from "node:crypto";
import type { StateKey } from "../secrets/state-key.js";

/**
 * One `secret_states` row as the commitment sees it: the live state of a secret (its current
 * version and deletion mark) and the key of the next state in key order. Its HMAC binds all of
 * it, so a pointer set back, a deletion mark cleared, or a state unlinked from the chain (its
 * rows deleted) no longer authenticates.
 */
export interface StateRecord {
  scope: string;
  name: string;
  env: string;
  current_version: number;
  created_at: string;
  deleted_at: string | null;
  purge_at: string | null;
  next_scope: string | null;
  next_name: string | null;
  next_env: string | null;
  mac: Buffer | null;
}

/** Columns of {@link StateRecord}, for SELECTs. */
export const STATE_RECORD_COLUMNS =
  "scope, name, env, current_version, created_at, deleted_at, purge_at, next_scope, next_name, next_env, mac";

/** HMAC-SHA256 of a state record under the commitment key (everything but `mac`). */
export function stateMac(key: KeyObject, r: StateRecord): Buffer {
  return createHmac("sha256", key)
    .update(
      JSON.stringify([
        "coffer.state.v1",
        r.scope,
        r.name,
        r.env,
        r.current_version,
        r.created_at,
        r.deleted_at,
        r.purge_at,
        r.next_scope,
        r.next_name,
        r.next_env,
      ]),
      "utf8",
    )
    .digest();
}

/** True when the record's stored HMAC matches its fields (constant time). */
export function stateAuthentic(key: KeyObject, r: StateRecord): boolean {
  const expected = stateMac(key, r);
  return r.mac !== null && r.mac.length === expected.length && timingSafeEqual(r.mac, expected);
}

/** The key of the state after `r` in key order, or null when `r` is the last. */
export function nextOf(r: StateRecord): StateKey | null {
  return r.next_scope === null ? null : { scope: r.next_scope, name: r.next_name ?? "", env: r.next_env ?? "" };
}

function compareText(a: string, b: string): number {
  // SQLite's BINARY collation compares UTF-8 bytes; JavaScript's < compares UTF-16 code units.
  return a === b ? 0 : Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Order of two state keys exactly as the `secret_states` primary key orders them. */
export function compareStateKeys(a: StateKey, b: StateKey): number {
  return compareText(a.scope, b.scope) || compareText(a.name, b.name) || compareText(a.env, b.env);
}

/** True when two optional keys are the same key. */
export function sameStateKey(a: StateKey | null, b: StateKey | null): boolean {
  if (a === null || b === null) return a === b;
  return a.scope === b.scope && a.name === b.name && a.env === b.env;
}
