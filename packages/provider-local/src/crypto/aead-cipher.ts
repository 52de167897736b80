import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from "node:crypto";

/** Bytes of the random nonce that starts every sealed blob. */
export const NONCE_BYTES = 12;
/** Bytes of the GCM authentication tag that ends every sealed blob. */
export const TAG_BYTES = 16;

/** Thrown (internally) when a sealed blob does not authenticate; callers turn it into INTEGRITY. */
export class AuthenticationFailure extends Error {
  constructor() {
    super("ciphertext does not authenticate");
    this.name = "AuthenticationFailure";
  }
}

/**
 * AES-256-GCM under one 32-byte key. A sealed blob is `nonce(12) || ciphertext || tag(16)`, with a
 * fresh random nonce per seal and associated data that binds the blob to where it is stored.
 */
export class AeadCipher {
  readonly #key: KeyObject;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError("AES-256-GCM needs a 32-byte key");
    this.#key = createSecretKey(key);
  }

  /** Encrypt `plaintext`, binding it to `aad`. */
  seal(plaintext: Uint8Array, aad: Uint8Array): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const last = cipher.final();
    return Buffer.concat([nonce, body, last, cipher.getAuthTag()]);
  }

  /** Decrypt a sealed blob. @throws AuthenticationFailure when it was altered or bound to other data. */
  open(sealed: Uint8Array, aad: Uint8Array): Buffer {
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new AuthenticationFailure();
    const nonce = sealed.subarray(0, NONCE_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      const out = decipher.update(body);
      const last = decipher.final();
      return last.length === 0 ? out : Buffer.concat([out, last]);
    } catch {
      throw new AuthenticationFailure();
    }
  }
}
