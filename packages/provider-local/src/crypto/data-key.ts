import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { AeadCipher } from "./aead-cipher.js";

function wrapAad(storeId: string): Buffer {
  return Buffer.from(`coffer.data-key.v1\u0000${storeId}`, "utf8");
}

/** Encrypt the data key under the key-encryption key (AES-256-GCM, bound to the store id). */
export function wrapDataKey(kek: Buffer, dataKey: Buffer, storeId: string): string {
  return new AeadCipher(kek).seal(dataKey, wrapAad(storeId)).toString("base64");
}

/** Decrypt the data key. @throws AuthenticationFailure when the key-encryption key is wrong */
export function unwrapDataKey(kek: Buffer, wrapped: string, storeId: string): Buffer {
  return new AeadCipher(kek).open(Buffer.from(wrapped, "base64"), wrapAad(storeId));
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

/** A purpose-bound subkey of the data key (HKDF-SHA256): `coffer-audit`, `coffer-fingerprint`. */
export function deriveSubkey(dataKey: Buffer, label: "coffer-audit" | "coffer-fingerprint"): Buffer {
  return Buffer.from(hkdfSync("sha256", dataKey, Buffer.alloc(0), label, 32));
}
