import type { AuditVerification } from "@coffer/core";
import type { AnchorRecord } from "../integrity/commitment-anchor.js";
import { verifyCommitment } from "../integrity/commitment-verification.js";
import type { CommitmentFields } from "../integrity/store-commitment.js";
import type { StoreSession } from "../store/store-session.js";
import { type AuditRow, auditHash } from "./audit-record.js";

type BrokenReason = NonNullable<AuditVerification["brokenAt"]>["reason"];

/** How far back a renumbered deletion is looked for. */
const RENUMBER_SEARCH = 16;

/**
 * Verify the audit log as `coffer audit --verify` does (inside a read transaction; `anchor` read
 * before it began): the store commitment first -- it holds the audit head and prune anchor, so a
 * cut tail or head with `meta` edited, or the whole store rolled back, is reported here -- then
 * the chain, then the secret records the commitment covers.
 */
export function verifyAuditLog(session: StoreSession, anchor: AnchorRecord | undefined): AuditVerification {
  const check = verifyCommitment(session, anchor);
  const { commitment } = check;
  const headSeq = commitment?.headSeq ?? 0;
  const failed = (checked: number): AuditVerification => ({
    ok: false,
    checked,
    brokenAt: { seq: headSeq, reason: check.reason ?? "commitment" },
    detail: check.problems.join("\n"),
  });
  if (!commitment || check.reason === "rolled-back") return failed(0);
  const chain = verifyAuditChain(session, commitment);
  if (!chain.ok) return chain;
  return check.problems.length > 0 ? failed(chain.checked) : chain;
}

/**
 * Walk the chain from the prune anchor to the recorded head and report the first break. Must run
 * inside a read transaction. The reason is a best reading of what happened:
 * - `edited`: an entry's fields no longer match its hash;
 * - `deleted`: a sequence gap, a missing tail, or entries renumbered to close a gap;
 * - `inserted`: an entry beyond the recorded head, or an extra entry pushed into the chain;
 * - `reordered`: an entry whose predecessor sits elsewhere in the chain;
 * - `hash-mismatch`: a genuine entry whose link to the anchor does not hold.
 */
export function verifyAuditChain(session: StoreSession, commitment: CommitmentFields): AuditVerification {
  const { anchorSeq, anchorHash, headSeq, headHash } = commitment;
  const bySeq = session.statement("SELECT * FROM audit_log WHERE seq = ?");
  const byHash = session.statement("SELECT seq FROM audit_log WHERE hash = ? LIMIT 1");
  const key = session.auditHmacKey;
  const broken = (seq: number, reason: BrokenReason, checked: number): AuditVerification => ({
    ok: false,
    checked,
    brokenAt: { seq, reason },
  });

  const classify = (row: AuditRow, hashOk: boolean, prev: string, expected: number): BrokenReason => {
    if (row.seq > headSeq) return "inserted";
    if (!hashOk && row.prev_hash === prev) {
      const next = bySeq.get(expected + 1) as AuditRow | undefined;
      if (next && next.prev_hash === prev && auditHash(key, next, expected) === next.hash) return "inserted";
      return "edited";
    }
    if (row.prev_hash !== prev) {
      const owner = byHash.get(row.prev_hash) as { seq: number } | undefined;
      if (owner && owner.seq !== expected - 1) return "reordered";
      if (!hashOk) {
        for (let k = 1; k <= RENUMBER_SEARCH; k++) {
          if (auditHash(key, row, expected + k) === row.hash) return "deleted";
        }
        return "edited";
      }
    }
    return "hash-mismatch";
  };

  let expected = anchorSeq + 1;
  let prev = anchorHash;
  let checked = 0;
  for (const row of session.statement("SELECT * FROM audit_log ORDER BY seq").iterate() as IterableIterator<AuditRow>) {
    if (row.seq <= anchorSeq) return broken(row.seq, "inserted", checked);
    if (row.seq > expected) return broken(expected, "deleted", checked);
    const hashOk = auditHash(key, row) === row.hash;
    if (!hashOk || row.prev_hash !== prev) return broken(row.seq, classify(row, hashOk, prev, expected), checked);
    prev = row.hash;
    expected++;
    checked++;
  }
  const last = expected - 1;
  if (last < headSeq) return broken(expected, "deleted", checked);
  if (last > headSeq) return broken(headSeq + 1, "inserted", checked);
  if (headSeq > anchorSeq && prev !== headHash) return broken(headSeq, "edited", checked);
  return { ok: true, checked };
}
