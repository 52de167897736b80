import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { AeadCipher, AuthenticationFailure } from "./aead-cipher.js";

/**
 * Version of the data key's wrapping. Version 2 marks a store that keeps a keyed commitment: the
 * mark lives in the wrapped key itself, so a store cannot be passed off as an older one (whose
 * commitment would be rebuilt from whatever the file holds) by editing its clear-text meta table.
 */
export type WrapVersion = 1 | 2;

function wrapAad(storeId: string, version: WrapVersion): Buffer {
  return Buffer.from(`coffer.data-key.v${version}\u0000${storeId}`, "utf8");
}

/**
 * Encrypt the data key under the key-encryption key (AES-256-GCM, bound to `context` -- the
 * store id -- and the wrap version; version 1 unless told).
 */
export function wrapDataKey(kek: Buffer, dataKey: Buffer, context: string, version: WrapVersion = 1): string {
  return new AeadCipher(kek).seal(dataKey, wrapAad(context, version)).toString("base64");
}

/** Decrypt a data key wrapped as version 1. @throws AuthenticationFailure when the key-encryption key is wrong */
export function unwrapDataKey(kek: Buffer, wrapped: string, context: string): Buffer {
  return new AeadCipher(kek).open(Buffer.from(wrapped, "base64"), wrapAad(context, 1));
}

/**
 * Decrypt the local store's data key, wrapped as version 2 (a committed store) or 1 (a format 1
 * store not upgraded yet), and say which.
 * @throws AuthenticationFailure when the key-encryption key is wrong
 */
export function unwrapStoreDataKey(
  kek: Buffer,
  wrapped: string,
  storeId: string,
): { dataKey: Buffer; version: WrapVersion } {
  const cipher = new AeadCipher(kek);
  const sealed = Buffer.from(wrapped, "base64");
  try {
    return { dataKey: cipher.open(sealed, wrapAad(storeId, 2)), version: 2 };
  } catch (err) {
    if (!(err instanceof AuthenticationFailure)) throw err;
    return { dataKey: cipher.open(sealed, wrapAad(storeId, 1)), version: 1 };
  }
}

/** Key check stored beside the wrapped key: proves the unwrapped key is this store's data key. */
export function dataKeyCheck(dataKey: Buffer): string {
  return createHmac("sha256", dataKey).update("coffer.key-check.v1").digest("hex");
}

/** True when `dataKey` matches a stored key check (constant time). */
export function matchesKeyCheck(dataKey: Buffer, check: string): boolean {
  const expected = Buffer.from(dataKeyCheck(dataKey), "hex");
  const actual = Buffer.from(check, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A purpose-bound subkey of the data key (HKDF-SHA256): `coffer-audit`, `coffer-fingerprint`,
 * `coffer-commitment` (state records and the store commitment).
 */
export function deriveSubkey(
  dataKey: Buffer,
  label: "coffer-audit" | "coffer-fingerprint" | "coffer-commitment",
): Buffer {
  return Buffer.from(hkdfSync("sha256", dataKey, Buffer.alloc(0), label, 32));
}
