export { azureKeyVault } from "./azure-key-vault.js";
export { BASE64_CONTENT_TYPE, TEXT_CONTENT_TYPE } from "./metadata/content-type.js";
export { AZURE_MAX_TAG_VALUE, AZURE_MAX_TAGS, parseCofferTags, TAG as COFFER_TAG } from "./metadata/secret-tags.js";
export {
  AZURE_NAME_MAX_LENGTH,
  type DecodedAzureName,
  foreignSecretIdentity,
  fromAzureSecretName,
  scopeDigest,
  toAzureSecretName,
} from "./naming/azure-secret-name.js";
export { AZURE_MAX_VALUE_BYTES } from "./operations/write-secret.js";
export {
  AZURE_KEY_VAULT_KIND,
  type AzureKeyVaultOptions,
  type AzureKeyVaultServiceVersion,
  type AzureTokenCredential,
} from "./options.js";
export {
  type AzureErrorContext,
  type AzureOperation,
  REQUIRED_PERMISSION,
  toCofferErrorFromAzure,
} from "./transport/azure-error.js";
export { staticTokenCredential } from "./transport/static-token-credential.js";
