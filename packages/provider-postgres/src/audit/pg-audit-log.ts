import { createHmac } from "node:crypto";
import {
  AUDIT_ACTIONS,
  type AuditEntry,
  type AuditEntryInput,
  type AuditLog,
  type AuditQuery,
  type AuditVerification,
  CofferError,
} from "@coffer/core";
import { type AuditRow, auditHash, toAuditEntry, toAuditRow } from "@coffer/provider-local/envelope";
import type { PgDatabase, Tx } from "../db/pg-database.js";

/** An audit row before it is chained. */
export type UnchainedAuditRow = Omit<AuditRow, "seq" | "prev_hash" | "hash">;

const MAX_QUERY_LIMIT = 10_000;
const VERIFY_BATCH = 5_000;

/** Rows come back with bigint columns as strings. */
function fromDb(row: Record<string, unknown>): AuditRow {
  return { ...(row as unknown as AuditRow), seq: Number(row.seq) };
}

/**
 * Record that the store changed, inside the change's transaction: every replica compares this
 * counter to know whether what it remembers (verified tokens) still holds.
 */
export async function bumpChanges(tx: Tx): Promise<void> {
  await tx.query("UPDATE store_state SET changes = changes + 1 WHERE id = 1");
}

/**
 * Append entries in order inside the caller's transaction. The head row is locked (FOR UPDATE),
 * so appends from every replica serialize and the chain never forks; the entries commit or roll
 * back with the change they record.
 * @throws CofferError UNAVAILABLE when an entry cannot be stored (the transaction then rolls back)
 */
export async function appendAuditRows(
  tx: Tx,
  hmacKey: Buffer,
  rows: readonly UnchainedAuditRow[],
): Promise<AuditEntry[]> {
  const heads = await tx.query<{ audit_head_seq: string; audit_head_hash: string }>(
    "SELECT audit_head_seq, audit_head_hash FROM store_state WHERE id = 1 FOR UPDATE",
  );
  const head = heads[0];
  if (!head) throw new CofferError("INTEGRITY", "the store's state row is missing");
  let seq = Number(head.audit_head_seq);
  let prevHash = head.audit_head_hash;
  const out: AuditEntry[] = [];
  for (const fields of rows) {
    seq += 1;
    const unhashed = { ...fields, seq, prev_hash: prevHash };
    const row: AuditRow = { ...unhashed, hash: auditHash(hmacKey, unhashed) };
    await tx.query(
      `INSERT INTO audit_log (seq, time, accessor, front_end, action, name, scope, env, provider, success,
         error_code, purpose, fingerprint, version, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        row.seq,
        row.time,
        row.accessor,
        row.front_end,
        row.action,
        row.name,
        row.scope,
        row.env,
        row.provider,
        row.success,
        row.error_code,
        row.purpose,
        row.fingerprint,
        row.version,
        row.details,
        row.prev_hash,
        row.hash,
      ],
    );
    prevHash = row.hash;
    out.push(toAuditEntry(row));
  }
  await tx.query("UPDATE store_state SET audit_head_seq = $1, audit_head_hash = $2 WHERE id = 1", [seq, prevHash]);
  return out;
}

/** Keys of the audit chain, available once the store is open. */
export interface AuditKeys {
  /** HMAC key of the chain. */
  audit: Buffer;
  /** HMAC key of value fingerprints. */
  fingerprint: Buffer;
}

/** The audit log in PostgreSQL: the same keyed hash chain as the local store, shared by every replica. */
export class PgAuditLog implements AuditLog {
  readonly #db: PgDatabase;
  readonly #ready: () => Promise<AuditKeys>;
  readonly #keysNow: () => AuditKeys | undefined;

  constructor(db: PgDatabase, ready: () => Promise<AuditKeys>, keysNow: () => AuditKeys | undefined) {
    this.#db = db;
    this.#ready = ready;
    this.#keysNow = keysNow;
  }

  /** Append one entry in its own transaction. @throws CofferError INVALID_ARGUMENT, UNAVAILABLE */
  async append(entry: AuditEntryInput): Promise<AuditEntry> {
    const [out] = await this.appendMany([entry]);
    return out as AuditEntry;
  }

  /** Append several entries in one transaction, in order. @throws CofferError INVALID_ARGUMENT, UNAVAILABLE */
  async appendMany(entries: AuditEntryInput[], _options: { durable?: boolean } = {}): Promise<AuditEntry[]> {
    if (entries.length === 0) return [];
    const rows = entries.map(toAuditRow);
    const keys = await this.#ready();
    return this.#db.transaction((tx) => appendAuditRows(tx, keys.audit, rows));
  }

  /** Entries matching every given filter, newest first. @throws CofferError INVALID_ARGUMENT */
  async query(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace("?", `$${params.length}`));
    };
    const text = (value: unknown, field: string): string => {
      if (typeof value !== "string")
        throw new CofferError("INVALID_ARGUMENT", `audit query: ${field} must be a string`, { field });
      return value;
    };
    const time = (value: unknown, field: string): string => {
      const t = Date.parse(text(value, field));
      if (Number.isNaN(t))
        throw new CofferError("INVALID_ARGUMENT", `audit query: ${field} must be an ISO 8601 time`, { field });
      return new Date(t).toISOString();
    };
    if (query.name !== undefined) add("name = ?", text(query.name, "name"));
    if (query.accessor !== undefined) add("accessor = ?", text(query.accessor, "accessor"));
    if (query.action !== undefined) {
      if (!(AUDIT_ACTIONS as readonly string[]).includes(query.action)) {
        throw new CofferError(
          "INVALID_ARGUMENT",
          `audit query: unknown action ${JSON.stringify(String(query.action))}`,
          {
            field: "action",
          },
        );
      }
      add("action = ?", query.action);
    }
    if (query.failedOnly) where.push("success = 0");
    if (query.since !== undefined) add("time >= ?", time(query.since, "since"));
    if (query.until !== undefined) add("time < ?", time(query.until, "until"));
    if (query.beforeSeq !== undefined) {
      if (!Number.isInteger(query.beforeSeq)) {
        throw new CofferError("INVALID_ARGUMENT", "audit query: beforeSeq must be a whole number", {
          field: "beforeSeq",
        });
      }
      add("seq < ?", query.beforeSeq);
    }
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new CofferError("INVALID_ARGUMENT", "audit query: limit must be a positive whole number", {
        field: "limit",
      });
    }
    await this.#ready();
    params.push(Math.min(limit, MAX_QUERY_LIMIT));
    const rows = await this.#db.query(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => toAuditEntry(fromDb(r)));
  }

  /**
   * Walk the chain from the prune anchor to the recorded head in one snapshot (REPEATABLE READ)
   * and report the first break: `deleted` (a gap or missing tail), `inserted` (beyond the head),
   * `edited` (fields no longer match the hash), `hash-mismatch` (a link that does not hold).
   */
  async verify(): Promise<AuditVerification> {
    const keys = await this.#ready();
    return this.#db.transaction(async (tx) => {
      await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const state = (
        await tx.query<{
          audit_head_seq: string;
          audit_head_hash: string;
          audit_anchor_seq: string;
          audit_anchor_hash: string;
        }>("SELECT audit_head_seq, audit_head_hash, audit_anchor_seq, audit_anchor_hash FROM store_state WHERE id = 1")
      )[0];
      if (!state) return { ok: false, checked: 0, brokenAt: { seq: 0, reason: "deleted" as const } };
      const headSeq = Number(state.audit_head_seq);
      const anchorSeq = Number(state.audit_anchor_seq);
      let expected = anchorSeq + 1;
      let prev = state.audit_anchor_hash;
      let checked = 0;
      const broken = (
        seq: number,
        reason: NonNullable<AuditVerification["brokenAt"]>["reason"],
      ): AuditVerification => ({
        ok: false,
        checked,
        brokenAt: { seq, reason },
      });
      const before = await tx.query<{ seq: string }>("SELECT seq FROM audit_log WHERE seq <= $1 ORDER BY seq LIMIT 1", [
        anchorSeq,
      ]);
      if (before[0]) return broken(Number(before[0].seq), "inserted");
      for (;;) {
        const batch = (
          await tx.query("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2", [expected, VERIFY_BATCH])
        ).map(fromDb);
        for (const row of batch) {
          if (row.seq > expected) return broken(expected, "deleted");
          if (row.seq > headSeq) return broken(row.seq, "inserted");
          const hashOk = auditHash(keys.audit, row) === row.hash;
          if (!hashOk) return broken(row.seq, row.prev_hash === prev ? "edited" : "hash-mismatch");
          if (row.prev_hash !== prev) return broken(row.seq, "hash-mismatch");
          prev = row.hash;
          expected++;
          checked++;
        }
        if (batch.length < VERIFY_BATCH) break;
      }
      const last = expected - 1;
      if (last < headSeq) return broken(expected, "deleted");
      if (headSeq > anchorSeq && prev !== state.audit_head_hash) return broken(headSeq, "edited");
      return { ok: true, checked };
    });
  }

  /**
   * HMAC-SHA256 (hex) of a value under the fingerprint key: comparable, never reversible.
   * @throws CofferError UNAVAILABLE before the store has been opened (any read or write opens it)
   */
  fingerprint(value: string): string {
    if (typeof value !== "string") {
      throw new CofferError("INVALID_ARGUMENT", "fingerprint needs a string value", { field: "value" });
    }
    const keys = this.#keysNow();
    if (!keys)
      throw new CofferError("UNAVAILABLE", "the PostgreSQL store is not open yet, so a fingerprint cannot be made");
    return createHmac("sha256", keys.fingerprint).update(value, "utf8").digest("hex");
  }

  /**
   * Remove the oldest entries, up to (not including) the first at or after `before`; the last
   * removed hash becomes the chain's anchor, so the rest still verifies.
   * @throws CofferError INVALID_ARGUMENT
   */
  async prune(before: string): Promise<number> {
    const t = typeof before === "string" ? Date.parse(before) : Number.NaN;
    if (Number.isNaN(t)) throw new CofferError("INVALID_ARGUMENT", "prune needs an ISO 8601 time", { field: "before" });
    const cutoff = new Date(t).toISOString();
    await this.#ready();
    return this.#db.transaction(async (tx) => {
      const state = (
        await tx.query<{ audit_anchor_seq: string; audit_head_seq: string }>(
          "SELECT audit_anchor_seq, audit_head_seq FROM store_state WHERE id = 1 FOR UPDATE",
        )
      )[0];
      if (!state) return 0;
      const anchorSeq = Number(state.audit_anchor_seq);
      const firstKept = (
        await tx.query<{ seq: string | null }>("SELECT min(seq) AS seq FROM audit_log WHERE time >= $1", [cutoff])
      )[0];
      const lastPruned = firstKept?.seq != null ? Number(firstKept.seq) - 1 : Number(state.audit_head_seq);
      if (lastPruned <= anchorSeq) return 0;
      const last = (await tx.query<{ hash: string }>("SELECT hash FROM audit_log WHERE seq = $1", [lastPruned]))[0];
      if (!last)
        throw new CofferError(
          "INTEGRITY",
          `the audit chain is broken at entry ${lastPruned}; run verify before pruning`,
        );
      const removed = await tx.query("DELETE FROM audit_log WHERE seq <= $1 RETURNING seq", [lastPruned]);
      await tx.query("UPDATE store_state SET audit_anchor_seq = $1, audit_anchor_hash = $2 WHERE id = 1", [
        lastPruned,
        last.hash,
      ]);
      return removed.length;
    });
  }
}
