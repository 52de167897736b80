import { hkdfSync, scryptSync } from "node:crypto";
import { CofferError } from "@coffer/core";

/** Where the master key came from. */
export type MasterKeySource = "option" | "env" | "key-file";

/** A master key as given: 32 raw bytes, or a passphrase to stretch with scrypt. */
export type MasterKeyMaterial =
  | { kind: "raw"; key: Buffer; source: MasterKeySource }
  | { kind: "passphrase"; passphrase: string; source: MasterKeySource };

/** scrypt cost parameters, stored in the store's meta table so they can change later. */
export interface ScryptParams {
  /** CPU/memory cost (power of two). */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** Parameters used for new stores and rotations: about 100 ms and 32 MiB on a laptop. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}$/;

/** Decode 32 raw key bytes written as hex, base64 or base64url; undefined for anything else. */
export function decodeRawKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (HEX_KEY.test(t)) return Buffer.from(t, "hex");
  if (BASE64_KEY.test(t) || BASE64URL_KEY.test(t)) {
    const bytes = Buffer.from(t, BASE64_KEY.test(t) ? "base64" : "base64url");
    if (bytes.length === 32) return bytes;
  }
  return undefined;
}

/**
 * Interpret a master key string: 32 random bytes as hex or base64 are used directly, anything else
 * is a passphrase. @throws CofferError CONFIG when the string is empty
 */
export function parseMasterKey(text: string, source: MasterKeySource, label: string): MasterKeyMaterial {
  if (typeof text !== "string" || text.trim().length === 0) {
    throw new CofferError("CONFIG", `${label} is set but empty; give 32 random bytes (hex or base64) or a passphrase`, {
      field: label,
    });
  }
  const raw = decodeRawKey(text);
  return raw ? { kind: "raw", key: raw, source } : { kind: "passphrase", passphrase: text, source };
}

/** Check scrypt parameters read from a store, so a tampered meta row cannot demand absurd work. */
export function checkScryptParams(value: unknown): ScryptParams {
  const v = value as Partial<ScryptParams> | null;
  const ok =
    v !== null &&
    typeof v === "object" &&
    Number.isInteger(v.N) &&
    Number.isInteger(v.r) &&
    Number.isInteger(v.p) &&
    (v.N as number) >= 2 ** 14 &&
    (v.N as number) <= 2 ** 20 &&
    ((v.N as number) & ((v.N as number) - 1)) === 0 &&
    (v.r as number) >= 1 &&
    (v.r as number) <= 32 &&
    (v.p as number) >= 1 &&
    (v.p as number) <= 16;
  if (!ok) throw new CofferError("INTEGRITY", "the store's key-derivation parameters are invalid");
  return { N: v.N as number, r: v.r as number, p: v.p as number };
}

/**
 * Derive the key-encryption key that wraps the data key. Raw keys go through HKDF (domain
 * separation, per-store salt); passphrases through scrypt with the store's salt.
 */
export function deriveKeyEncryptionKey(material: MasterKeyMaterial, salt: Buffer, params: ScryptParams): Buffer {
  if (material.kind === "raw") {
    return Buffer.from(hkdfSync("sha256", material.key, salt, "coffer-master-kek", 32));
  }
  const { N, r, p } = params;
  return scryptSync(material.passphrase.normalize("NFC"), salt, 32, { N, r, p, maxmem: 256 * N * r * p });
}

/**
 * Where the key in force came from, for error messages: the option (or the config entry that set
 * it, `optionLabel`), the COFFER_MASTER_KEY variable, or the key file.
 */
export function describeKeySource(material: MasterKeyMaterial, keyFile: string, optionLabel?: string): string {
  if (material.source === "option") return optionLabel ?? "the masterKey option";
  if (material.source === "env") return "the COFFER_MASTER_KEY variable";
  return `the key file ${keyFile}`;
}
