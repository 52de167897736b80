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
  /** Sequence number of the last appended audit entry (0 when none). */
  auditHeadSeq: "audit_head_seq",
  /** Hash of the last appended audit entry ('' when none). */
  auditHeadHash: "audit_head_hash",
  /** Sequence number of the last pruned audit entry (0 when none). */
  auditAnchorSeq: "audit_anchor_seq",
  /** Hash of the last pruned audit entry ('' when none). */
  auditAnchorHash: "audit_anchor_hash",
} as const;
