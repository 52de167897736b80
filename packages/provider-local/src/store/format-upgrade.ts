import { wrapDataKey } from "../crypto/data-key.js";
import { META } from "../db/meta-keys.js";
import { STATE_LINK_COLUMNS } from "../db/schema.js";
import { readAnchor } from "../integrity/commitment-anchor.js";
import { STATE_RECORD_COLUMNS, type StateRecord, stateMac } from "../integrity/state-record.js";
import { StoreCommitment } from "../integrity/store-commitment.js";
import type { StoreSession } from "./store-session.js";

const PAGE = 1000;

/**
 * Upgrade a format 1 store in one IMMEDIATE transaction: link and MAC every state record in key
 * order, build the commitment from them and the audit head, and rewrap the data key as version 2
 * (which marks the store as committed: it can no longer be passed off as format 1). Another
 * process may have upgraded it first; then nothing is done.
 * @throws CofferError INTEGRITY when the store has an anchor but no commitment (it was stripped)
 */
export function upgradeToFormat2(session: StoreSession): void {
  const db = session.db;
  db.transaction(() => {
    if (session.meta(META.commitment) !== undefined) return;
    if (readAnchor(session.anchorFile, session.storeId)) {
      throw session.integrityError(
        "the store has an anchor file but no commitment: its data key or meta table was replaced by an older copy",
        { anchorFile: session.anchorFile },
      );
    }
    const present = new Set(
      (db.prepare("PRAGMA table_info(secret_states)").all() as Array<{ name: string }>).map((c) => c.name),
    );
    for (const column of STATE_LINK_COLUMNS) {
      if (!present.has(column.split(" ")[0]!)) db.exec(`ALTER TABLE secret_states ADD COLUMN ${column}`);
    }
    const commitment = new StoreCommitment(
      {
        counter: 0,
        states: 0,
        digest: "0".repeat(64),
        first: null,
        headSeq: Number(session.meta(META.auditHeadSeq) ?? 0),
        headHash: session.meta(META.auditHeadHash) ?? "",
        anchorSeq: Number(session.meta(META.auditAnchorSeq) ?? 0),
        anchorHash: session.meta(META.auditAnchorHash) ?? "",
      },
      "",
    );
    const update = db.prepare(
      "UPDATE secret_states SET next_scope = ?, next_name = ?, next_env = ?, mac = ? WHERE scope = ? AND name = ? AND env = ?",
    );
    const seal = (r: StateRecord, next: StateRecord | null) => {
      r.next_scope = next?.scope ?? null;
      r.next_name = next?.name ?? null;
      r.next_env = next?.env ?? null;
      r.mac = stateMac(session.commitKey, r);
      update.run(r.next_scope, r.next_name, r.next_env, r.mac, r.scope, r.name, r.env);
      commitment.toggle(r.mac);
      commitment.states++;
    };
    const firstPage = db.prepare(
      `SELECT ${STATE_RECORD_COLUMNS} FROM secret_states ORDER BY scope, name, env LIMIT ${PAGE}`,
    );
    const nextPage = db.prepare(
      `SELECT ${STATE_RECORD_COLUMNS} FROM secret_states WHERE (scope, name, env) > (?, ?, ?) ORDER BY scope, name, env LIMIT ${PAGE}`,
    );
    let prev: StateRecord | undefined;
    for (let rows = firstPage.all() as StateRecord[]; rows.length > 0; ) {
      for (const r of rows) {
        if (prev) seal(prev, r);
        else commitment.first = { scope: r.scope, name: r.name, env: r.env };
        prev = r;
      }
      const last = rows[rows.length - 1]!;
      rows = nextPage.all(last.scope, last.name, last.env) as StateRecord[];
    }
    if (prev) seal(prev, null);
    session.setMeta(META.commitment, commitment.next(session.commitKey, session.storeId).json);
    for (const legacy of [META.auditHeadSeq, META.auditHeadHash, META.auditAnchorSeq, META.auditAnchorHash]) {
      db.prepare("DELETE FROM meta WHERE key = ?").run(legacy);
    }
    session.setMeta(META.format, "2");
    session.setMeta(META.wrappedDataKey, wrapDataKey(session.keys.kek, session.keys.dataKey, session.storeId, 2));
  }).immediate();
  session.keys = { ...session.keys, wrapVersion: 2 };
}
