/** Keys of the `meta` table. */
export const META = {
  /** On-disk format number. */
  format: "format",
  /** Random id of this store (binds the wrapped data key). */
  storeId: "store_id",
  /** When the store was created. */
  createdAt: "created_at",
  /** Salt of the key-encryption key derivation (base64). */
  keySalt: "key_salt",
  /** scrypt parameters (JSON) used for passphrases. */
  kdfParams: "kdf_params",
  /** `raw` or `passphrase`: the kind of master key that wraps the data key now. */
  keyKind: "key_kind",
  /** The data key wrapped by the master key (base64 of nonce || ciphertext || tag). */
  wrappedDataKey: "wrapped_data_key",
  /** HMAC of a constant under the data key (hex). */
  keyCheck: "key_check",
  /**
   * The store commitment (format 2, JSON): commit counter, count and keyed digest of the secret
   * states, first state, audit head and prune anchor, with their HMAC. See `StoreCommitment`.
   */
  commitment: "commitment",
  /** Format 1 only (moved into the commitment): sequence number of the last audit entry. */
  auditHeadSeq: "audit_head_seq",
  /** Format 1 only: hash of the last appended audit entry. */
  auditHeadHash: "audit_head_hash",
  /** Format 1 only: sequence number of the last pruned audit entry. */
  auditAnchorSeq: "audit_anchor_seq",
  /** Format 1 only: hash of the last pruned audit entry. */
  auditAnchorHash: "audit_anchor_hash",
} as const;
