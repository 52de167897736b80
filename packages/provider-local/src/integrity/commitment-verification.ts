import { quoteName } from "@coffer/core";
import type { StoreSession } from "../store/store-session.js";
import { type AnchorRecord, anchorAccepts } from "./commitment-anchor.js";
import {
  compareStateKeys,
  nextOf,
  STATE_RECORD_COLUMNS,
  type StateRecord,
  sameStateKey,
  stateAuthentic,
} from "./state-record.js";
import { StoreCommitment } from "./store-commitment.js";

/** At most this many state problems are listed (the count of the rest is given). */
const MAX_LISTED = 50;

/** Outcome of checking the store commitment. */
export interface CommitmentCheck {
  /** The authenticated commitment, unless it does not authenticate. */
  commitment?: StoreCommitment;
  /** What is wrong: `commitment` (edited commitment or secret records), `rolled-back` (older than the anchor). */
  reason?: "commitment" | "rolled-back";
  /** One line per problem, by name, never by value. */
  problems: string[];
  /** State records checked. */
  checked: number;
}

function describe(r: { scope: string; name: string; env: string }): string {
  return `secret ${quoteName(r.name)} (scope ${r.scope}, env ${r.env || "default"})`;
}

/**
 * Check the commitment and every secret state record against it, streaming the records in key
 * order (inside a read transaction; `anchor` read before it began): the commitment authenticates
 * and is not older than the anchor, every record authenticates, each names the next one, and
 * their number and XOR of HMACs match the commitment.
 */
export function verifyCommitment(session: StoreSession, anchor: AnchorRecord | undefined): CommitmentCheck {
  const commitment = StoreCommitment.parse(session.meta("commitment"), session.commitKey, session.storeId);
  if (!commitment) {
    return {
      reason: "commitment",
      problems: ["store commitment: it does not authenticate (the meta table was edited)"],
      checked: 0,
    };
  }
  const problems: string[] = [];
  let reason: CommitmentCheck["reason"];
  if (anchor && !anchorAccepts(anchor, commitment.loaded)) {
    reason = "rolled-back";
    problems.push(
      `store commitment: commit ${commitment.loaded.counter} is older than the anchor's ${anchor.counter} (${session.anchorFile}): the store file was replaced by an earlier copy`,
    );
  }
  let unlisted = 0;
  const problem = (line: string) => {
    if (problems.length < MAX_LISTED) problems.push(line);
    else unlisted++;
  };
  const digest = Buffer.alloc(32);
  let count = 0;
  let expected = commitment.first;
  for (const r of session
    .statement(
      `SELECT ${STATE_RECORD_COLUMNS},
         EXISTS (SELECT 1 FROM secret_versions v WHERE v.scope = s.scope AND v.name = s.name AND v.env = s.env
                 AND v.version = s.current_version) AS present
       FROM secret_states s ORDER BY scope, name, env`,
    )
    .iterate() as IterableIterator<StateRecord & { present: number }>) {
    count++;
    if (!r.present) {
      problem(`${describe(r)}: its current version ${r.current_version} is missing (its rows were deleted)`);
    }
    if (!stateAuthentic(session.commitKey, r)) {
      problem(
        `${describe(r)}: its state record does not authenticate (edited in the file, e.g. its current version set back)`,
      );
    }
    if (!sameStateKey(expected, r)) {
      problem(
        expected !== null && compareStateKeys(expected, r) < 0
          ? `${describe(expected)}: removed from the store file (its records were deleted)`
          : `${describe(r)}: its record is not linked into the store's chain (added or replaced by an older copy)`,
      );
    }
    if (r.mac) for (let i = 0; i < 32; i++) digest[i]! ^= r.mac[i] ?? 0;
    expected = nextOf(r);
  }
  if (expected !== null) problem(`${describe(expected)}: removed from the store file (its records were deleted)`);
  if (count !== commitment.states || digest.toString("hex") !== commitment.digest) {
    problem(
      `secret records: ${count} found, ${commitment.states} committed; the set does not match the store commitment (records removed, added or replaced by older copies)`,
    );
  }
  if (unlisted > 0) problems.push(`... and ${unlisted} more problems with secret records`);
  if (problems.length > 0 && !reason) reason = "commitment";
  return { commitment, ...(reason ? { reason } : {}), problems, checked: count };
}
