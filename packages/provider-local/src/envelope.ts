/**
 * `@coffer/provider-local/envelope`: the local store's envelope encryption and record formats,
 * shared with other stores that keep Coffer's data themselves (`@coffer/provider-postgres`), so
 * there is one implementation of the cipher, the key handling, the value bindings and the audit
 * hash chain. Loads no database driver.
 */

export { type AuditRow, auditHash, canonicalJson, toAuditEntry, toAuditRow } from "./audit/audit-record.js";
export { AeadCipher, AuthenticationFailure } from "./crypto/aead-cipher.js";
export { dataKeyCheck, deriveSubkey, matchesKeyCheck, unwrapDataKey, wrapDataKey } from "./crypto/data-key.js";
export { readKeyFile } from "./crypto/key-file.js";
export {
  checkScryptParams,
  DEFAULT_SCRYPT_PARAMS,
  decodeRawKey,
  deriveKeyEncryptionKey,
  type MasterKeyMaterial,
  type MasterKeySource,
  parseMasterKey,
  type ScryptParams,
} from "./crypto/master-key.js";
export { documentBinding } from "./documents/local-document-store.js";
export { decodeListCursor, encodeListCursor } from "./secrets/list-cursor.js";
export { decodeValue, type PreparedWrite, pickAttributes, prepareWrite } from "./secrets/secret-write.js";
export { checkName, checkScope, describeState, type StateKey, toStateKey } from "./secrets/state-key.js";
export { valueBinding } from "./secrets/value-binding.js";
