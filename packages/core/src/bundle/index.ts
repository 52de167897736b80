export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  type BundlePayload,
  DEFAULT_BUNDLE_SCRYPT_LOG_N,
  decryptBundle,
  type EncryptBundleOptions,
  type EncryptedBundleEnvelope,
  encryptBundle,
  isEncryptedBundle,
  MAX_BUNDLE_SCRYPT_LOG_N,
  MIN_BUNDLE_PASSPHRASE_LENGTH,
} from "./encrypted-bundle.js";
