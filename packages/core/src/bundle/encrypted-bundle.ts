import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";
import { CofferError } from "../errors/index.js";
import type { ExportedSecret } from "../service/types.js";

/** `format` field of an encrypted bundle. */
export const BUNDLE_FORMAT = "coffer-bundle" as const;
/** Current bundle format version. */
export const BUNDLE_VERSION = 1;
/** Shortest passphrase accepted for a new bundle, in characters. */
export const MIN_BUNDLE_PASSPHRASE_LENGTH = 8;
/** Default scrypt cost: log2 of N (2^17 = 131072, about 128 MiB of memory with r = 8). */
export const DEFAULT_BUNDLE_SCRYPT_LOG_N = 17;
/** Largest scrypt cost a bundle may ask for when decrypting (log2 N), to bound memory and time. */
export const MAX_BUNDLE_SCRYPT_LOG_N = 20;

/** What an encrypted bundle carries: values and metadata of exported secrets. */
export interface BundlePayload {
  /** When the bundle was made, ISO 8601. */
  exportedAt: string;
  /** The secrets (with `value` unless the secret is write-only). */
  secrets: ExportedSecret[];
}

/** The outer JSON document of an encrypted bundle. Everything but the KDF and cipher parameters is encrypted. */
export interface EncryptedBundleEnvelope {
  /** Always `coffer-bundle`. */
  format: typeof BUNDLE_FORMAT;
  /** Format version, 1. */
  version: number;
  /** Key derivation: scrypt with these parameters and a random salt (base64). */
  kdf: { name: "scrypt"; N: number; r: number; p: number; salt: string };
  /** AES-256-GCM with a random 96-bit IV (base64) and its 128-bit tag (base64). */
  cipher: { name: "aes-256-gcm"; iv: string; tag: string };
  /** The encrypted JSON of the {@link BundlePayload}, base64. */
  ciphertext: string;
}

/** Options of {@link encryptBundle}. */
export interface EncryptBundleOptions {
  /** scrypt cost as log2 N (14..20). @default 17 */
  scryptLogN?: number;
}

function deriveKey(passphrase: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize("NFC"), salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) => {
      if (err) reject(new CofferError("INTERNAL", "key derivation failed"));
      else resolve(key);
    });
  });
}

/** The authenticated header: every parameter that decryption depends on. */
function associatedData(envelope: Pick<EncryptedBundleEnvelope, "format" | "version" | "kdf" | "cipher">): Buffer {
  const { kdf, cipher } = envelope;
  return Buffer.from(
    JSON.stringify([
      envelope.format,
      envelope.version,
      kdf.name,
      kdf.N,
      kdf.r,
      kdf.p,
      kdf.salt,
      cipher.name,
      cipher.iv,
    ]),
  );
}

/**
 * Encrypt a bundle under a passphrase: scrypt derives a 256-bit key from the passphrase and a
 * random salt; AES-256-GCM encrypts the payload JSON, authenticating the parameters too.
 * Returns the envelope as JSON text (safe to store anywhere; only the passphrase opens it).
 * @throws CofferError INVALID_ARGUMENT for a passphrase shorter than 8 characters or a bad cost
 */
export async function encryptBundle(
  payload: BundlePayload,
  passphrase: string,
  options: EncryptBundleOptions = {},
): Promise<string> {
  if (typeof passphrase !== "string" || [...passphrase].length < MIN_BUNDLE_PASSPHRASE_LENGTH) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `the bundle passphrase must be at least ${MIN_BUNDLE_PASSPHRASE_LENGTH} characters`,
      { field: "passphrase" },
    );
  }
  const logN = options.scryptLogN ?? DEFAULT_BUNDLE_SCRYPT_LOG_N;
  if (!Number.isInteger(logN) || logN < 14 || logN > MAX_BUNDLE_SCRYPT_LOG_N) {
    throw new CofferError("INVALID_ARGUMENT", `scryptLogN must be from 14 to ${MAX_BUNDLE_SCRYPT_LOG_N}`, {
      field: "scryptLogN",
    });
  }
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const kdf = { name: "scrypt" as const, N: 2 ** logN, r: 8, p: 1, salt: salt.toString("base64") };
  const key = await deriveKey(passphrase, salt, kdf.N, kdf.r, kdf.p);
  try {
    const header = {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      kdf,
      cipher: { name: "aes-256-gcm" as const, iv: iv.toString("base64") },
    };
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(associatedData({ ...header, cipher: { ...header.cipher, tag: "" } }));
    const plaintext = Buffer.from(JSON.stringify(payload), "utf8");
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    plaintext.fill(0);
    const envelope: EncryptedBundleEnvelope = {
      ...header,
      cipher: { ...header.cipher, tag: cipher.getAuthTag().toString("base64") },
      ciphertext: ciphertext.toString("base64"),
    };
    return `${JSON.stringify(envelope, null, 2)}\n`;
  } finally {
    key.fill(0);
  }
}

/** True when `text` looks like an encrypted bundle (its `format` field), without decrypting it. */
export function isEncryptedBundle(text: string): boolean {
  const head = text.replace(/^\uFEFF/, "").trimStart();
  if (!head.startsWith("{")) return false;
  try {
    return (JSON.parse(head) as { format?: unknown }).format === BUNDLE_FORMAT;
  } catch {
    return false;
  }
}

function malformed(what: string): CofferError {
  return new CofferError("INVALID_ARGUMENT", `not a valid Coffer bundle: ${what}`, { field: "bundle" });
}

function base64Field(value: unknown, what: string, lengths?: number[]): Buffer {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw malformed(`${what} is not base64`);
  const buf = Buffer.from(value, "base64");
  if (lengths && !lengths.includes(buf.length)) throw malformed(`${what} has the wrong length`);
  return buf;
}

/** Check the outer document and return it typed. @throws CofferError INVALID_ARGUMENT */
function readEnvelope(text: string): EncryptedBundleEnvelope {
  let doc: Partial<EncryptedBundleEnvelope>;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, "")) as Partial<EncryptedBundleEnvelope>;
  } catch {
    throw malformed("the file is not JSON");
  }
  if (!doc || typeof doc !== "object" || doc.format !== BUNDLE_FORMAT) throw malformed("format is not coffer-bundle");
  if (doc.version !== BUNDLE_VERSION) {
    throw new CofferError(
      "UNSUPPORTED",
      `bundle version ${String(doc.version)} is not supported (this Coffer reads version ${BUNDLE_VERSION})`,
      {
        field: "version",
      },
    );
  }
  const kdf = doc.kdf;
  if (kdf?.name !== "scrypt") throw malformed("kdf must be scrypt");
  const logN = Math.log2(kdf.N);
  if (!Number.isInteger(logN) || logN < 14 || logN > MAX_BUNDLE_SCRYPT_LOG_N)
    throw malformed("scrypt N is out of range");
  if (!Number.isInteger(kdf.r) || kdf.r < 1 || kdf.r > 32) throw malformed("scrypt r is out of range");
  if (!Number.isInteger(kdf.p) || kdf.p < 1 || kdf.p > 16) throw malformed("scrypt p is out of range");
  const cipher = doc.cipher;
  if (cipher?.name !== "aes-256-gcm") throw malformed("cipher must be aes-256-gcm");
  base64Field(kdf.salt, "salt", [16, 24, 32]);
  base64Field(cipher.iv, "iv", [12]);
  base64Field(cipher.tag, "tag", [16]);
  base64Field(doc.ciphertext, "ciphertext");
  return doc as EncryptedBundleEnvelope;
}

/**
 * Decrypt a bundle made by {@link encryptBundle}.
 * @throws CofferError INVALID_ARGUMENT for a malformed file; UNSUPPORTED for a newer version;
 *   INTEGRITY when the passphrase is wrong or the file was modified (one message for both)
 */
export async function decryptBundle(text: string, passphrase: string): Promise<BundlePayload> {
  const envelope = readEnvelope(text);
  const { kdf, cipher } = envelope;
  const key = await deriveKey(passphrase, Buffer.from(kdf.salt, "base64"), kdf.N, kdf.r, kdf.p);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(cipher.iv, "base64"));
    decipher.setAAD(associatedData({ ...envelope, cipher: { ...cipher, tag: "" } }));
    decipher.setAuthTag(Buffer.from(cipher.tag, "base64"));
    plaintext = Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, "base64")), decipher.final()]);
  } catch {
    throw new CofferError(
      "INTEGRITY",
      "the bundle could not be decrypted: wrong passphrase, or the file was modified",
      {
        field: "passphrase",
        hint: "check the passphrase (COFFER_EXPORT_PASSPHRASE or the prompt)",
      },
    );
  } finally {
    key.fill(0);
  }
  let payload: Partial<BundlePayload>;
  try {
    payload = JSON.parse(plaintext.toString("utf8")) as Partial<BundlePayload>;
  } catch {
    throw malformed("the decrypted content is not JSON");
  } finally {
    plaintext.fill(0);
  }
  if (!payload || typeof payload !== "object" || !Array.isArray(payload.secrets))
    throw malformed("secrets are missing");
  for (const [i, s] of payload.secrets.entries()) {
    if (
      !s ||
      typeof s !== "object" ||
      typeof s.name !== "string" ||
      (s.value !== undefined && typeof s.value !== "string")
    ) {
      throw malformed(`entry ${i + 1} is not a secret`);
    }
  }
  return { exportedAt: typeof payload.exportedAt === "string" ? payload.exportedAt : "", secrets: payload.secrets };
}
