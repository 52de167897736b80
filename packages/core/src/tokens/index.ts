export * from "./api-token.js";
export * from "./api-tokens.js";
export * from "./token-format.js";
export * from "./token-scopes.js";
