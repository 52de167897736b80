import type { TokenScope } from "./token-scopes.js";

/** What is known about an API token. Never the token itself nor its hash. */
export interface ApiTokenInfo {
  /** Stable id: the first characters of the token's random part (safe to show and log). */
  id: string;
  /** Unique name among active tokens; it is the accessor recorded in the audit log. */
  name: string;
  /** Granted scopes, canonical order. */
  scopes: TokenScope[];
  /** Glob restricting the secret names the token may touch (`api-*`); absent: every name. */
  pattern?: string;
  /** Created, ISO 8601. */
  createdAt: string;
  /** Expiry, ISO 8601; absent: never expires. */
  expiresAt?: string;
  /** Revoked at, ISO 8601. */
  revokedAt?: string;
  /** Last successful verification, ISO 8601 (updated at most once a minute). */
  lastUsedAt?: string;
}

/** Input of {@link ApiTokens.create}. */
export interface CreateApiTokenInput {
  /** Token name: `[A-Za-z0-9][A-Za-z0-9_.-]*`, 1-64 characters, unique among active tokens. */
  name: string;
  /** Scopes to grant (see `TOKEN_SCOPES`). */
  scopes: readonly string[];
  /** Glob of secret names the token may touch (`*` any run, `?` one character). @default every name */
  pattern?: string;
  /** Lifetime in seconds (1 second to 10 years). @default never expires */
  expiresInSeconds?: number;
}

/** A newly created token: the plaintext (shown once, never stored) and its info. */
export interface CreatedApiToken {
  /** The bearer token, `cfr_` + 43 base62 characters. Only its SHA-256 hash is stored. */
  token: string;
  /** Its stored description. */
  info: ApiTokenInfo;
}

/** Manage and verify API tokens for the REST server. */
export interface ApiTokens {
  /**
   * Create a token.
   * @throws CofferError INVALID_ARGUMENT (bad name, scope, pattern or lifetime), ALREADY_EXISTS (active token with that name)
   */
  create(input: CreateApiTokenInput): Promise<CreatedApiToken>;
  /** Every token (active, expired and revoked), oldest first. */
  list(): Promise<ApiTokenInfo[]>;
  /** Revoke the active token with this name, or the token with this id. False when there was none to revoke. */
  revoke(nameOrId: string): Promise<boolean>;
  /**
   * Check a presented bearer token and return its info.
   * @throws CofferError UNAUTHENTICATED for a malformed, unknown, revoked or expired token (one message for all)
   */
  verify(token: string): Promise<ApiTokenInfo>;
}
