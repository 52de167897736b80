import { randomBytes } from "node:crypto";
import { type AuditEntryInput, CofferError } from "@coffer/core";
import { toAuditRow } from "../audit/audit-record.js";
import { appendAuditRow } from "../audit/local-audit-log.js";
import { unwrapStoreDataKey, wrapDataKey } from "../crypto/data-key.js";
import { discardPendingKeyFile, promotePendingKeyFile, writePendingKeyFile } from "../crypto/key-file.js";
import { DEFAULT_SCRYPT_PARAMS, deriveKeyEncryptionKey, parseMasterKey } from "../crypto/master-key.js";
import { META } from "../db/meta-keys.js";
import type { StoreSession } from "./store-session.js";

/**
 * Rewrap the data key under a new master key; values are not re-encrypted. When the store's key
 * lives in a key file, the new key is written beside it first (`<keyFile>.new`) and replaces it
 * once the store commits, so a crash at any point leaves a key that opens the store.
 * @throws CofferError INVALID_ARGUMENT for a passphrase with a key file; CONFLICT when another process rotated first
 */
export async function rotateMasterKey(
  session: StoreSession,
  keyFile: string,
  newKey: string,
  audit?: AuditEntryInput,
): Promise<void> {
  const usesKeyFile = session.keys.material.source === "key-file";
  const material = parseMasterKey(newKey, usesKeyFile ? "key-file" : "option", "the new master key");
  if (usesKeyFile && material.kind !== "raw") {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `this store's master key lives in the key file ${keyFile}; rotate to 32 random bytes (hex or base64), or set COFFER_MASTER_KEY to use a passphrase`,
      { field: "newKey" },
    );
  }
  const auditRow = audit ? toAuditRow(audit) : undefined;
  const salt = randomBytes(16);
  const kek = deriveKeyEncryptionKey(material, salt, DEFAULT_SCRYPT_PARAMS);
  if (usesKeyFile && material.kind === "raw") writePendingKeyFile(keyFile, material.key);
  try {
    await session.write(() => {
      try {
        unwrapStoreDataKey(session.keys.kek, session.meta(META.wrappedDataKey) ?? "", session.storeId);
      } catch {
        throw new CofferError(
          "CONFLICT",
          "the master key was changed by another process; reopen the store and retry",
          {},
        );
      }
      session.setMeta(META.keySalt, salt.toString("base64"));
      session.setMeta(META.kdfParams, JSON.stringify(DEFAULT_SCRYPT_PARAMS));
      session.setMeta(META.keyKind, material.kind);
      session.setMeta(
        META.wrappedDataKey,
        wrapDataKey(kek, session.keys.dataKey, session.storeId, session.keys.wrapVersion),
      );
      if (auditRow) appendAuditRow(session, auditRow);
    });
  } catch (err) {
    if (usesKeyFile) discardPendingKeyFile(keyFile);
    throw err;
  }
  if (usesKeyFile) promotePendingKeyFile(keyFile);
  session.keys.kek.fill(0);
  session.keys = { ...session.keys, kek, material };
}
