import type { CofferError } from "@coffer/core";
import {
  compareStateKeys,
  nextOf,
  STATE_RECORD_COLUMNS,
  type StateRecord,
  sameStateKey,
  stateAuthentic,
  stateMac,
} from "../integrity/state-record.js";
import type { StoreSession } from "../store/store-session.js";
import { describeState, type StateKey } from "./state-key.js";

/**
 * The secret states as an authenticated chain: every state record carries an HMAC over its live
 * state (current version, deletion mark) and the key of the next state in key order, and the
 * store commitment holds the first key and the XOR of all record HMACs. So a record edited in the
 * file fails its own check, and a record removed from the file is caught by the read of its name:
 * the record before it still names it as next.
 */

const GET_RECORD = `SELECT ${STATE_RECORD_COLUMNS} FROM secret_states WHERE scope = ? AND name = ? AND env = ?`;
const GET_PREDECESSOR = `SELECT ${STATE_RECORD_COLUMNS} FROM secret_states WHERE (scope, name, env) < (?, ?, ?)
  ORDER BY scope DESC, name DESC, env DESC LIMIT 1`;
const SET_LINK =
  "UPDATE secret_states SET next_scope = ?, next_name = ?, next_env = ?, mac = ? WHERE scope = ? AND name = ? AND env = ?";

/** What a write may change in a state record. */
export interface StateChange {
  current_version?: number;
  created_at?: string;
  deleted_at?: string | null;
  purge_at?: string | null;
}

function editedRecord(session: StoreSession, r: StateKey): CofferError {
  return session.integrityError(
    `the state record of ${describeState(r)} does not authenticate: it was edited in the file (its current version rolled back, or its deletion mark changed)`,
    { name: r.name },
  );
}

/** Check a state record read for `key`. @throws CofferError INTEGRITY */
export function checkStateRecord(session: StoreSession, record: StateRecord): void {
  if (!stateAuthentic(session.commitKey, record)) throw editedRecord(session, record);
}

function removedBetween(session: StoreSession, key: StateKey, next: StateKey): CofferError {
  return sameStateKey(next, key)
    ? session.integrityError(`${describeState(key)} was removed from the store file (its records were deleted)`, {
        name: key.name,
      })
    : session.integrityError(`${describeState(next)} was removed from the store file (its records were deleted)`, {
        name: next.name,
      });
}

/**
 * Check that `key` has no state record because it never had one or was deleted through Coffer:
 * the authenticated record before it must name a later key as its next (one index seek and one
 * HMAC), or, when none is before it, the commitment's first key must be later. With `anyEnv`,
 * (`key.env` is ''), no env state of the secret may be named next either.
 * @throws CofferError INTEGRITY
 */
export function checkAbsent(session: StoreSession, key: StateKey, anyEnv = false): void {
  const pred = session.statement(GET_PREDECESSOR).get(key.scope, key.name, key.env) as StateRecord | undefined;
  let next: StateKey | null;
  if (pred) {
    checkStateRecord(session, pred);
    next = nextOf(pred);
  } else {
    next = session.readCommitment().first;
  }
  if (next === null) return;
  if (compareStateKeys(next, key) <= 0 || (anyEnv && next.scope === key.scope && next.name === key.name)) {
    throw removedBetween(session, key, next);
  }
}

function readRecord(session: StoreSession, key: StateKey): StateRecord | undefined {
  return session.statement(GET_RECORD).get(key.scope, key.name, key.env) as StateRecord | undefined;
}

function relink(session: StoreSession, r: StateRecord, next: StateKey | null): void {
  const c = session.commitment();
  c.toggle(r.mac as Buffer);
  r.next_scope = next?.scope ?? null;
  r.next_name = next?.name ?? null;
  r.next_env = next?.env ?? null;
  r.mac = stateMac(session.commitKey, r);
  c.toggle(r.mac);
  session.statement(SET_LINK).run(r.next_scope, r.next_name, r.next_env, r.mac, r.scope, r.name, r.env);
}

/**
 * Create the record of a new state (inside a write transaction), linking it after its
 * predecessor. @throws CofferError INTEGRITY when the neighbouring record does not authenticate
 */
export function insertState(session: StoreSession, key: StateKey, fields: Required<StateChange>): void {
  const c = session.commitment();
  const pred = session.statement(GET_PREDECESSOR).get(key.scope, key.name, key.env) as StateRecord | undefined;
  let next: StateKey | null;
  if (pred) {
    checkStateRecord(session, pred);
    next = nextOf(pred);
  } else {
    next = c.first;
  }
  if (next !== null && compareStateKeys(next, key) <= 0) throw removedBetween(session, key, next);
  const record: StateRecord = {
    ...key,
    ...fields,
    next_scope: next?.scope ?? null,
    next_name: next?.name ?? null,
    next_env: next?.env ?? null,
    mac: null,
  };
  record.mac = stateMac(session.commitKey, record);
  session
    .statement(
      `INSERT INTO secret_states (scope, name, env, current_version, created_at, deleted_at, purge_at, next_scope, next_name, next_env, mac)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      record.scope,
      record.name,
      record.env,
      record.current_version,
      record.created_at,
      record.deleted_at,
      record.purge_at,
      record.next_scope,
      record.next_name,
      record.next_env,
      record.mac,
    );
  c.toggle(record.mac);
  c.states++;
  if (pred) relink(session, pred, key);
  else {
    c.first = { ...key };
    c.touch();
  }
}

/**
 * Change an existing state record (inside a write transaction).
 * @throws CofferError INTEGRITY when the record does not authenticate
 */
export function updateState(session: StoreSession, key: StateKey, change: StateChange): void {
  const record = readRecord(session, key);
  if (!record) throw removedBetween(session, key, key);
  checkStateRecord(session, record);
  const c = session.commitment();
  c.toggle(record.mac as Buffer);
  Object.assign(record, change);
  record.mac = stateMac(session.commitKey, record);
  c.toggle(record.mac);
  session
    .statement(
      "UPDATE secret_states SET current_version = ?, created_at = ?, deleted_at = ?, purge_at = ?, mac = ? WHERE scope = ? AND name = ? AND env = ?",
    )
    .run(
      record.current_version,
      record.created_at,
      record.deleted_at,
      record.purge_at,
      record.mac,
      record.scope,
      record.name,
      record.env,
    );
}

/**
 * Remove a state record (inside a write transaction), linking its predecessor to its successor.
 * The state's versions are the caller's to delete. @throws CofferError INTEGRITY
 */
export function removeState(session: StoreSession, key: StateKey): void {
  const record = readRecord(session, key);
  if (!record) throw removedBetween(session, key, key);
  checkStateRecord(session, record);
  const c = session.commitment();
  const pred = session.statement(GET_PREDECESSOR).get(key.scope, key.name, key.env) as StateRecord | undefined;
  if (pred) {
    checkStateRecord(session, pred);
    if (!sameStateKey(nextOf(pred), key)) throw editedRecord(session, pred);
    relink(session, pred, nextOf(record));
  } else {
    if (!sameStateKey(c.first, key)) throw session.integrityError("the store's first secret record was replaced", {});
    c.first = nextOf(record);
    c.touch();
  }
  session
    .statement("DELETE FROM secret_states WHERE scope = ? AND name = ? AND env = ?")
    .run(key.scope, key.name, key.env);
  c.toggle(record.mac as Buffer);
  c.states--;
}
