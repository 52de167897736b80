export {
  GLOBAL_SCOPE,
  parseScopeKey,
  SCOPE_KINDS,
  type ScopeKind,
  type ScopeRef,
  sameScope,
  scopeKey,
  scopeLabel,
} from "./scope.js";
export {
  MAX_DESCRIPTION_BYTES,
  MAX_VALUE_BYTES,
  SECRET_FORMATS,
  type SecretAddress,
  type SecretAttributes,
  type SecretFormat,
  type SecretMetadata,
  type SecretVersionInfo,
  type SecretWrite,
  type StoredSecret,
  type ValueEncoding,
} from "./secret.js";
