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
import { LEGACY_INDEXES_SQL } from "../db/schema.js";
import { readAnchor } from "../integrity/commitment-anchor.js";
import type { StoreSession } from "../store/store-session.js";
import { verifyAuditLog } from "./audit-chain-verification.js";
import { type AuditRow, auditHash, toAuditEntry, toAuditRow } from "./audit-record.js";

const MAX_QUERY_LIMIT = 10_000;
/** Sessions that have dropped the indexes of earlier versions (once per open store). */
const legacyIndexesDropped = new WeakSet<StoreSession>();

/**
 * Append one checked entry inside the caller's IMMEDIATE transaction: the entry links to the
 * recorded head, so appends from several processes serialize on the write lock and never fork.
 * @throws CofferError UNAVAILABLE when the entry cannot be stored (the transaction then rolls back)
 */
export function appendAuditRow(
  session: StoreSession,
  fields: Omit<AuditRow, "seq" | "prev_hash" | "hash">,
): AuditEntry {
  return appendAuditRows(session, [fields])[0]!;
}

/**
 * Append entries in order inside the caller's IMMEDIATE transaction, chaining each to the one
 * before; the recorded head is read once and written once for the whole batch.
 * @throws CofferError UNAVAILABLE when an entry cannot be stored (the transaction then rolls back)
 */
export function appendAuditRows(
  session: StoreSession,
  rows: ReadonlyArray<Omit<AuditRow, "seq" | "prev_hash" | "hash">>,
): AuditEntry[] {
  // The head is the commitment's: checked against its HMAC and the anchor before anything links to it.
  const commitment = session.commitment();
  let seq = commitment.headSeq;
  let prevHash = commitment.headHash;
  const out: AuditEntry[] = [];
  try {
    if (!legacyIndexesDropped.has(session)) {
      session.statement(LEGACY_INDEXES_SQL).run();
      legacyIndexesDropped.add(session);
    }
    const insert = session.statement(
      `INSERT INTO audit_log (seq, time, accessor, front_end, action, name, scope, env, provider, success,
         error_code, purpose, fingerprint, version, details, prev_hash, hash)
       VALUES (@seq, @time, @accessor, @front_end, @action, @name, @scope, @env, @provider, @success,
         @error_code, @purpose, @fingerprint, @version, @details, @prev_hash, @hash)`,
    );
    for (const fields of rows) {
      seq += 1;
      const unhashed = { ...fields, seq, prev_hash: prevHash };
      const row: AuditRow = { ...unhashed, hash: auditHash(session.auditHmacKey, unhashed) };
      insert.run(row);
      prevHash = row.hash;
      out.push(toAuditEntry(row));
    }
    commitment.headSeq = seq;
    commitment.headHash = prevHash;
    commitment.touch();
  } catch (err) {
    throw new CofferError(
      "UNAVAILABLE",
      "the audit log could not record the entry, so nothing was changed",
      {},
      { cause: err },
    );
  }
  return out;
}

/** The audit log kept in the local store: a keyed hash chain in the `audit_log` table. */
export class LocalAuditLog implements AuditLog {
  readonly #session: () => StoreSession;

  constructor(session: () => StoreSession) {
    this.#session = session;
  }

  /** Append one entry in its own transaction. @throws CofferError INVALID_ARGUMENT, UNAVAILABLE */
  async append(entry: AuditEntryInput): Promise<AuditEntry> {
    const fields = toAuditRow(entry);
    const session = this.#session();
    return session.write(() => appendAuditRow(session, fields));
  }

  /**
   * Append several entries in one transaction, in order. Used for batched read entries, which
   * pass `durable: false` (committed, but not flushed to disk before returning).
   * @throws CofferError INVALID_ARGUMENT, UNAVAILABLE
   */
  async appendMany(entries: AuditEntryInput[], options: { durable?: boolean } = {}): Promise<AuditEntry[]> {
    if (entries.length === 0) return [];
    const rows = entries.map(toAuditRow);
    const session = this.#session();
    const append = () => appendAuditRows(session, rows);
    return options.durable === false ? session.writeRelaxed(append) : session.write(append);
  }

  /** Entries matching every given filter, newest first. @throws CofferError INVALID_ARGUMENT */
  async query(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const text = (value: unknown, field: string): string => {
      if (typeof value !== "string") {
        throw new CofferError("INVALID_ARGUMENT", `audit query: ${field} must be a string`, { field });
      }
      return value;
    };
    const time = (value: unknown, field: string): string => {
      const t = Date.parse(text(value, field));
      if (Number.isNaN(t))
        throw new CofferError("INVALID_ARGUMENT", `audit query: ${field} must be an ISO 8601 time`, { field });
      return new Date(t).toISOString();
    };
    if (query.name !== undefined) {
      where.push("name = ?");
      params.push(text(query.name, "name"));
    }
    if (query.accessor !== undefined) {
      where.push("accessor = ?");
      params.push(text(query.accessor, "accessor"));
    }
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
      where.push("action = ?");
      params.push(query.action);
    }
    if (query.failedOnly) where.push("success = 0");
    if (query.since !== undefined) {
      where.push("time >= ?");
      params.push(time(query.since, "since"));
    }
    if (query.until !== undefined) {
      where.push("time < ?");
      params.push(time(query.until, "until"));
    }
    if (query.beforeSeq !== undefined) {
      if (!Number.isInteger(query.beforeSeq)) {
        throw new CofferError("INVALID_ARGUMENT", "audit query: beforeSeq must be a whole number", {
          field: "beforeSeq",
        });
      }
      where.push("seq < ?");
      params.push(query.beforeSeq);
    }
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new CofferError("INVALID_ARGUMENT", "audit query: limit must be a positive whole number", {
        field: "limit",
      });
    }
    params.push(Math.min(limit, MAX_QUERY_LIMIT));
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`;
    const session = this.#session();
    const rows = await session.read(() => session.statement(sql).all(...params) as AuditRow[]);
    return rows.map(toAuditEntry);
  }

  /**
   * Verify the chain from the prune anchor to the head, and the store commitment that holds both
   * (and the secret states): an edited or rolled-back commitment, or secret records edited,
   * removed or replaced by older copies, also fail verification.
   */
  async verify(): Promise<AuditVerification> {
    const session = this.#session();
    const anchor = readAnchor(session.anchorFile, session.storeId);
    return session.inspect(() => verifyAuditLog(session, anchor));
  }

  /** HMAC-SHA256 (hex) of a value under the fingerprint key: comparable, never reversible. */
  fingerprint(value: string): string {
    if (typeof value !== "string") {
      throw new CofferError("INVALID_ARGUMENT", "fingerprint needs a string value", { field: "value" });
    }
    return createHmac("sha256", this.#session().fingerprintHmacKey).update(value, "utf8").digest("hex");
  }

  /**
   * Remove the oldest entries, up to (not including) the first entry at or after `before`. The
   * hash of the last removed entry becomes the chain's anchor, so the rest still verifies.
   * @throws CofferError INVALID_ARGUMENT
   */
  async prune(before: string): Promise<number> {
    const t = typeof before === "string" ? Date.parse(before) : Number.NaN;
    if (Number.isNaN(t)) {
      throw new CofferError("INVALID_ARGUMENT", "prune needs an ISO 8601 time", { field: "before" });
    }
    const cutoff = new Date(t).toISOString();
    const session = this.#session();
    return session.write(() => {
      const commitment = session.commitment();
      const anchorSeq = commitment.anchorSeq;
      const firstKept = session.statement("SELECT min(seq) AS seq FROM audit_log WHERE time >= ?").get(cutoff) as {
        seq: number | null;
      };
      const lastPruned =
        firstKept.seq !== null
          ? firstKept.seq - 1
          : ((session.statement("SELECT max(seq) AS seq FROM audit_log").get() as { seq: number | null }).seq ?? 0);
      if (lastPruned <= anchorSeq) return 0;
      const last = session.statement("SELECT hash FROM audit_log WHERE seq = ?").get(lastPruned) as
        | { hash: string }
        | undefined;
      if (!last) {
        throw new CofferError(
          "INTEGRITY",
          `the audit chain is broken at entry ${lastPruned}; run verify before pruning`,
        );
      }
      const removed = session.statement("DELETE FROM audit_log WHERE seq <= ?").run(lastPruned).changes;
      commitment.anchorSeq = lastPruned;
      commitment.anchorHash = last.hash;
      commitment.touch();
      return removed;
    });
  }
}
