export type { ApiTokenInfo, ApiTokens, CreateApiTokenInput, CreatedApiToken } from "./api-token.js";
export {
  API_TOKENS_COLLECTION,
  type ApiTokensOptions,
  apiTokens,
  MAX_TOKEN_LIFETIME_SECONDS,
  TOKEN_GLOB_PATTERN,
  TOKEN_NAME_PATTERN,
  validateTokenGlob,
  validateTokenName,
} from "./api-tokens.js";
export {
  encodeBase62,
  generateTokenString,
  hashToken,
  sameTokenHash,
  TOKEN_BODY_LENGTH,
  TOKEN_ID_LENGTH,
  TOKEN_PREFIX,
  tokenIdOf,
} from "./token-format.js";
export { isTokenScope, TOKEN_SCOPES, type TokenScope, validateTokenScopes } from "./token-scopes.js";
