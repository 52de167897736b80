export {
  type AzureErrorContext,
  type AzureOperation,
  REQUIRED_PERMISSION,
  toCofferErrorFromAzure,
} from "./azure-error.js";
export type {
  AzureKeyVaultOptions,
  AzureKeyVaultServiceVersion,
  AzureTokenCredential,
} from "./azure-key-vault-options.js";
export {
  AZURE_KEY_VAULT_KIND,
  AZURE_MAX_VALUE_BYTES,
  azureKeyVault,
  BASE64_CONTENT_TYPE,
  TEXT_CONTENT_TYPE,
} from "./azure-key-vault-provider.js";
export {
  AZURE_NAME_MAX_LENGTH,
  type DecodedAzureName,
  foreignSecretIdentity,
  fromAzureSecretName,
  scopeDigest,
  toAzureSecretName,
} from "./azure-secret-name.js";
export { AZURE_MAX_TAG_VALUE, AZURE_MAX_TAGS, parseCofferTags, TAG as COFFER_TAG } from "./secret-tags.js";
export { staticTokenCredential } from "./static-token-credential.js";
