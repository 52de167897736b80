import { quoteName } from "@coffer/core";
import { verifyAuditChain } from "../audit/audit-chain-verification.js";
import { cacheBinding } from "../cache/last-known-good-cache.js";
import { documentBinding } from "../documents/local-document-store.js";
import { valueBinding } from "../secrets/value-binding.js";
import type { StoreSession } from "../store/store-session.js";
import type { AnchorRecord } from "./commitment-anchor.js";
import { verifyCommitment } from "./commitment-verification.js";

/** Outcome of a full integrity check. */
export interface IntegrityReport {
  /** True when nothing is wrong. */
  ok: boolean;
  /** Items checked: value versions, documents, cache entries and audit entries. */
  checked: number;
  /** One line per problem found (names and positions, never values). */
  problems: string[];
}

function authenticates(session: StoreSession, ciphertext: Buffer, aad: Buffer): boolean {
  try {
    session.cipher.open(ciphertext, aad);
    return true;
  } catch {
    return false;
  }
}

/**
 * Check the whole store inside one read transaction (`anchor` read before it began): SQLite's own
 * structure check, the store commitment and every secret state record against it, that every
 * stored version, document and cache entry decrypts under its row's binding, that every state's
 * current version exists, and the audit chain.
 */
export function verifyStoreIntegrity(session: StoreSession, anchor: AnchorRecord | undefined): IntegrityReport {
  const problems: string[] = [];
  let checked = 0;
  const structure = session.db.pragma("quick_check") as Array<{ quick_check: string }>;
  for (const r of structure) if (r.quick_check !== "ok") problems.push(`sqlite: ${r.quick_check}`);
  const commitment = verifyCommitment(session, anchor);
  problems.push(...commitment.problems);

  const versions = session
    .statement(
      "SELECT scope, name, env, version, ciphertext, encoding, attributes FROM secret_versions ORDER BY scope, name, env, version",
    )
    .iterate() as IterableIterator<{
    scope: string;
    name: string;
    env: string;
    version: number;
    ciphertext: Buffer;
    encoding: string;
    attributes: string;
  }>;
  for (const v of versions) {
    checked++;
    if (!authenticates(session, v.ciphertext, valueBinding(v, v.version, v.encoding, v.attributes))) {
      problems.push(
        `secret ${quoteName(v.name)} (scope ${v.scope}, env ${v.env || "default"}) version ${v.version}: ciphertext does not authenticate`,
      );
    }
  }
  const dangling = session
    .statement(
      `SELECT s.scope, s.name, s.env, s.current_version FROM secret_states s
       LEFT JOIN secret_versions v ON v.scope = s.scope AND v.name = s.name AND v.env = s.env AND v.version = s.current_version
       WHERE v.version IS NULL`,
    )
    .all() as Array<{ scope: string; name: string; env: string; current_version: number }>;
  for (const s of dangling) {
    problems.push(
      `secret ${quoteName(s.name)} (scope ${s.scope}, env ${s.env || "default"}): current version ${s.current_version} is missing`,
    );
  }
  // Every write makes its new version current, so a current version below the newest one was set
  // back in the file (a rollback to an older, authentic value).
  const rolledBack = session
    .statement(
      `SELECT s.scope, s.name, s.env, s.current_version, max(v.version) AS newest FROM secret_states s
       JOIN secret_versions v ON v.scope = s.scope AND v.name = s.name AND v.env = s.env
       GROUP BY s.scope, s.name, s.env HAVING newest <> s.current_version`,
    )
    .all() as Array<{ scope: string; name: string; env: string; current_version: number; newest: number }>;
  for (const s of rolledBack) {
    problems.push(
      `secret ${quoteName(s.name)} (scope ${s.scope}, env ${s.env || "default"}): current version ${s.current_version} is older than stored version ${s.newest} (rolled back in the file)`,
    );
  }
  const documents = session
    .statement("SELECT collection, key, ciphertext FROM documents")
    .iterate() as IterableIterator<{
    collection: string;
    key: string;
    ciphertext: Buffer;
  }>;
  for (const d of documents) {
    checked++;
    if (!authenticates(session, d.ciphertext, documentBinding(d.collection, d.key))) {
      problems.push(
        `document ${JSON.stringify(d.key)} of ${JSON.stringify(d.collection)}: ciphertext does not authenticate`,
      );
    }
  }
  const cached = session
    .statement("SELECT namespace, key, ciphertext, stored_at FROM cache_entries")
    .iterate() as IterableIterator<{
    namespace: string;
    key: string;
    ciphertext: Buffer;
    stored_at: string;
  }>;
  for (const c of cached) {
    checked++;
    if (!authenticates(session, c.ciphertext, cacheBinding(c.namespace, c.key, c.stored_at))) {
      problems.push(
        `cache entry ${JSON.stringify(c.key)} of ${JSON.stringify(c.namespace)}: ciphertext does not authenticate`,
      );
    }
  }
  if (commitment.commitment) {
    const audit = verifyAuditChain(session, commitment.commitment);
    checked += audit.checked;
    if (!audit.ok && audit.brokenAt) {
      problems.push(`audit log: chain broken at entry ${audit.brokenAt.seq} (${audit.brokenAt.reason})`);
    }
  }
  return { ok: problems.length === 0, checked, problems };
}
