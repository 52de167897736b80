import { hash, randomBytes } from "node:crypto";

/** Prefix of every Coffer API token (lets secret scanners recognize leaked tokens). */
export const TOKEN_PREFIX = "cfr_";
/** Length of the base62 part: 32 random bytes need 43 base62 digits. */
export const TOKEN_BODY_LENGTH = 43;
/** Length of the id: the first characters of the base62 part. */
export const TOKEN_ID_LENGTH = 12;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN_SHAPE = new RegExp(`^${TOKEN_PREFIX}[0-9A-Za-z]{${TOKEN_BODY_LENGTH}}$`);

/** Encode bytes as a fixed-width base62 string (big-endian, zero-padded to `width`). */
export function encodeBase62(bytes: Uint8Array, width: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  while (n > 0n) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, "0");
}

/** A fresh random token: `cfr_` + base62 of 32 random bytes. */
export function generateTokenString(): string {
  return TOKEN_PREFIX + encodeBase62(randomBytes(32), TOKEN_BODY_LENGTH);
}

/** The id embedded in a well-formed token, or `undefined` when the text is not token-shaped. */
export function tokenIdOf(token: unknown): string | undefined {
  if (typeof token !== "string" || !TOKEN_SHAPE.test(token)) return undefined;
  return token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + TOKEN_ID_LENGTH);
}

/** SHA-256 of a token, lowercase hex. Tokens carry 256 random bits, so a fast hash suffices. */
export function hashToken(token: string): string {
  return hash("sha256", token, "hex");
}

/**
 * Compare two token hashes (lowercase hex) in time that depends only on their length: every
 * character is compared, whatever the first difference.
 */
export function sameTokenHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
