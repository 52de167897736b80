import { CofferError } from "../errors/index.js";
import { NUMERIC_RANGES } from "../inputs/numeric-ranges.js";
import { MAX_GLOB_LENGTH } from "../names/name-glob.js";
import type { DocumentStore } from "../store/index.js";
import type { ApiTokenInfo, ApiTokens, CreateApiTokenInput, CreatedApiToken } from "./api-token.js";
import { generateTokenString, hashToken, sameTokenHash, tokenIdOf } from "./token-format.js";
import { validateTokenScopes } from "./token-scopes.js";

/** Documents collection holding API tokens, keyed by token id. */
export const API_TOKENS_COLLECTION = "api-tokens";
/** Rule for token names. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Rule for token name patterns (globs over secret names). */
export const TOKEN_GLOB_PATTERN = new RegExp(`^[A-Za-z0-9_./*?-]{1,${MAX_GLOB_LENGTH}}$`);
/** Longest token lifetime, seconds (10 years). */
export const MAX_TOKEN_LIFETIME_SECONDS = NUMERIC_RANGES.tokenLifetimeSeconds.max;

const LAST_USED_RESOLUTION_MS = 60_000;
/** Verified tokens remembered at most (per documents epoch). */
const MAX_VERIFIED = 1024;
const UNAUTHENTICATED_MESSAGE = "invalid, expired or revoked API token";
// Compared against when no token has the presented id, so unknown ids take the same path.
const UNKNOWN_TOKEN_HASH = "0".repeat(64);

/** Options of {@link apiTokens}. */
export interface ApiTokensOptions {
  /** Time source (tests). @default () => new Date() */
  clock?: () => Date;
}

/** A token as stored: its info plus the hex SHA-256 of the token. */
interface StoredApiToken extends ApiTokenInfo {
  hash: string;
}

/**
 * API tokens kept in the service's document store (collection `api-tokens`). Tokens are shown
 * once by `create`; only their SHA-256 hash is stored, found again by the id embedded in the token.
 */
export function apiTokens(documents: DocumentStore, options: ApiTokensOptions = {}): ApiTokens {
  const clock = options.clock ?? (() => new Date());
  // Tokens verified while the documents are unchanged, by token id: a server checks the same few
  // tokens on every request. Any document write (a revocation by the CLI included) empties it.
  // A remembered token answers with one frozen info object, the same while it is remembered.
  const verified = new Map<
    string,
    { hash: string; info: Readonly<ApiTokenInfo>; lastUsedMs: number; expiresAtMs: number }
  >();
  let verifiedEpoch = -1;

  const isActive = (t: ApiTokenInfo, now: Date): boolean =>
    t.revokedAt === undefined && (t.expiresAt === undefined || Date.parse(t.expiresAt) > now.getTime());

  const unauthenticated = () => new CofferError("UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE);

  async function all(): Promise<StoredApiToken[]> {
    const rows = await documents.list<StoredApiToken>(API_TOKENS_COLLECTION);
    return rows.map((row) => row.value);
  }

  return {
    async create(input: CreateApiTokenInput): Promise<CreatedApiToken> {
      const name = validateTokenName(input?.name);
      const scopes = validateTokenScopes(input?.scopes);
      const pattern = input.pattern === undefined ? undefined : validateTokenGlob(input.pattern);
      const lifetime = input.expiresInSeconds === undefined ? undefined : validateLifetime(input.expiresInSeconds);
      const now = clock();
      if ((await all()).some((t) => t.name === name && isActive(t, now))) {
        throw new CofferError("ALREADY_EXISTS", `an active API token named ${JSON.stringify(name)} already exists`, {
          field: "name",
          hint: "revoke it first or choose another name",
        });
      }
      for (;;) {
        const token = generateTokenString();
        const id = tokenIdOf(token) as string;
        const info: ApiTokenInfo = {
          id,
          name,
          scopes,
          ...(pattern === undefined ? {} : { pattern }),
          createdAt: now.toISOString(),
          ...(lifetime === undefined ? {} : { expiresAt: new Date(now.getTime() + lifetime * 1000).toISOString() }),
        };
        let collided = false;
        await documents.update<StoredApiToken>(API_TOKENS_COLLECTION, id, (current) => {
          if (current !== undefined) {
            collided = true;
            return current;
          }
          return { ...info, hash: hashToken(token) };
        });
        if (!collided) return { token, info };
      }
    },

    async list(): Promise<ApiTokenInfo[]> {
      return (await all())
        .map(toInfo)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
    },

    async revoke(nameOrId: string): Promise<boolean> {
      if (typeof nameOrId !== "string" || nameOrId.length === 0) return false;
      const now = clock();
      const tokens = await all();
      const target =
        tokens.find((t) => t.name === nameOrId && isActive(t, now)) ??
        tokens.find((t) => t.id === nameOrId && t.revokedAt === undefined);
      if (!target) return false;
      let revoked = false;
      await documents.update<StoredApiToken>(API_TOKENS_COLLECTION, target.id, (current) => {
        if (!current || current.revokedAt !== undefined) return current;
        revoked = true;
        return { ...current, revokedAt: now.toISOString() };
      });
      return revoked;
    },

    async verify(token: string): Promise<ApiTokenInfo> {
      const id = tokenIdOf(token);
      if (id === undefined) throw unauthenticated();
      const presented = hashToken(token);
      const epoch = documents.epoch?.();
      if (epoch !== undefined) {
        if (epoch !== verifiedEpoch) {
          verified.clear();
          verifiedEpoch = epoch;
        }
        // A remembered token is still unrevoked (no document changed); its expiry and the
        // lastUsedAt bookkeeping are checked against the clock as on a full verification.
        const known = verified.get(id);
        if (known && sameTokenHash(presented, known.hash)) {
          const nowMs = clock().getTime();
          if (nowMs < known.expiresAtMs && nowMs - known.lastUsedMs < LAST_USED_RESOLUTION_MS) {
            return known.info;
          }
        }
      }
      const stored = await documents.get<StoredApiToken>(API_TOKENS_COLLECTION, id);
      const expected = storedHash(stored);
      const matches = sameTokenHash(presented, expected ?? UNKNOWN_TOKEN_HASH) && expected !== undefined;
      const now = clock();
      if (!stored || !matches || !isActive(stored, now)) throw unauthenticated();
      const last = stored.lastUsedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(stored.lastUsedAt);
      if (epoch !== undefined && epoch === verifiedEpoch && expected) {
        if (verified.size >= MAX_VERIFIED) verified.clear();
        const info = toInfo(stored);
        Object.freeze(info.scopes);
        verified.set(id, {
          hash: expected,
          info: Object.freeze(info),
          lastUsedMs: last,
          expiresAtMs: stored.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(stored.expiresAt),
        });
      }
      if (!(now.getTime() - last < LAST_USED_RESOLUTION_MS)) {
        try {
          const updated = await documents.update<StoredApiToken>(API_TOKENS_COLLECTION, id, (current) =>
            current ? { ...current, lastUsedAt: now.toISOString() } : current,
          );
          if (updated) return toInfo(updated);
        } catch {
          // lastUsedAt is bookkeeping: a store that cannot record it does not make a valid token invalid.
        }
      }
      return toInfo(stored);
    },
  };
}

function toInfo(stored: StoredApiToken): ApiTokenInfo {
  const { hash: _hash, ...info } = stored;
  return info;
}

function storedHash(stored: StoredApiToken | undefined): string | undefined {
  if (!stored || typeof stored.hash !== "string" || !/^[0-9a-f]{64}$/.test(stored.hash)) return undefined;
  return stored.hash;
}

/**
 * Check a token name.
 * @throws CofferError INVALID_ARGUMENT quoting the rule
 */
export function validateTokenName(name: unknown): string {
  if (typeof name !== "string" || !TOKEN_NAME_PATTERN.test(name)) {
    const shown = typeof name === "string" ? `${JSON.stringify(name.slice(0, 64))} ` : "";
    throw new CofferError(
      "INVALID_ARGUMENT",
      `token name ${shown}must match [A-Za-z0-9][A-Za-z0-9_.-]* (1-64 characters)`,
      { field: "name" },
    );
  }
  return name;
}

/**
 * Check a token's secret-name glob.
 * @throws CofferError INVALID_ARGUMENT quoting the rule
 */
export function validateTokenGlob(pattern: unknown): string {
  if (typeof pattern !== "string" || !TOKEN_GLOB_PATTERN.test(pattern)) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `token pattern must be a glob of secret-name characters, \`*\` and \`?\` (1-${MAX_GLOB_LENGTH} characters)`,
      { field: "pattern" },
    );
  }
  return pattern;
}

function validateLifetime(seconds: unknown): number {
  if (
    typeof seconds !== "number" ||
    !Number.isSafeInteger(seconds) ||
    seconds < 1 ||
    seconds > MAX_TOKEN_LIFETIME_SECONDS
  ) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `token lifetime must be a whole number of seconds between 1 and ${MAX_TOKEN_LIFETIME_SECONDS} (10 years)`,
      { field: "expiresInSeconds" },
    );
  }
  return seconds;
}
