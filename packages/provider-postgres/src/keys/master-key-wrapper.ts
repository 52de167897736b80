import { randomBytes } from "node:crypto";
import { CofferError } from "@coffer/core";
import {
  AuthenticationFailure,
  checkScryptParams,
  DEFAULT_SCRYPT_PARAMS,
  deriveKeyEncryptionKey,
  parseMasterKey,
  readKeyFile,
  type ScryptParams,
  unwrapDataKey,
  wrapDataKey,
} from "@coffer/provider-local/envelope";
import type { KmsMasterKey, ResolvedMasterKey } from "../options.js";

/** Wraps and unwraps data keys under the master key, bound to what the key protects. */
export interface MasterKeyWrapper {
  /** `passphrase`, `raw` or `kms` (stored, so a database is never opened with the wrong kind). */
  readonly kind: "local" | "kms";
  /** Encrypt a data key; `context` names the key (store id, key scope, generation). */
  wrap(dataKey: Buffer, context: string): Promise<string>;
  /** Decrypt a data key. @throws CofferError INTEGRITY when the master key is not the one that wrapped it */
  unwrap(wrapped: string, context: string): Promise<Buffer>;
}

/** What a store keeps in clear about its master key: salt and scrypt cost of a passphrase. */
export interface MasterKeyParams {
  /** base64 salt of the key-encryption key derivation. */
  salt: string;
  /** scrypt parameters (used when the key is a passphrase). */
  scrypt: ScryptParams;
}

/** Fresh parameters for a new store. */
export function newMasterKeyParams(): MasterKeyParams {
  return { salt: randomBytes(16).toString("base64"), scrypt: { ...DEFAULT_SCRYPT_PARAMS } };
}

function wrongKey(): CofferError {
  return new CofferError(
    "INTEGRITY",
    "the master key does not open this database's data keys (wrong COFFER_MASTER_KEY, key file, passphrase or KMS key)",
  );
}

/** A key-encryption key derived from a raw key or passphrase (as the local store does). */
function localWrapper(
  masterKey: Extract<ResolvedMasterKey, { kind: "text" | "key-file" }>,
  params: MasterKeyParams,
): MasterKeyWrapper {
  let text: string;
  if (masterKey.kind === "key-file") {
    const key = readKeyFile(masterKey.path);
    if (!key) throw new CofferError("CONFIG", `the key file ${masterKey.path} does not exist`, { field: "keyFile" });
    text = key.toString("hex");
  } else text = masterKey.text;
  const material = parseMasterKey(text, masterKey.kind === "key-file" ? "key-file" : masterKey.source, "masterKey");
  const kek = deriveKeyEncryptionKey(material, Buffer.from(params.salt, "base64"), checkScryptParams(params.scrypt));
  return {
    kind: "local",
    async wrap(dataKey, context) {
      return wrapDataKey(kek, dataKey, context);
    },
    async unwrap(wrapped, context) {
      try {
        return unwrapDataKey(kek, wrapped, context);
      } catch (err) {
        if (err instanceof AuthenticationFailure) throw wrongKey();
        throw err;
      }
    },
  };
}

interface KmsClientLike {
  send(command: unknown): Promise<{ CiphertextBlob?: Uint8Array; Plaintext?: Uint8Array }>;
}

/** AWS KMS: `Encrypt`/`Decrypt` with the context as encryption context. The SDK loads on first use. */
function kmsWrapper(kms: KmsMasterKey): MasterKeyWrapper {
  let sdk: Promise<{ client: KmsClientLike; mod: typeof import("@aws-sdk/client-kms") }> | undefined;
  const load = () => {
    sdk ??= (async () => {
      const mod = await import("@aws-sdk/client-kms");
      const client = new mod.KMSClient({
        ...(kms.region !== undefined ? { region: kms.region } : {}),
        ...(kms.endpoint !== undefined ? { endpoint: kms.endpoint } : {}),
        ...(kms.credentials !== undefined ? { credentials: kms.credentials } : {}),
        maxAttempts: 3,
      });
      return { client: client as unknown as KmsClientLike, mod };
    })();
    return sdk;
  };
  const failure = (err: unknown, action: string): CofferError => {
    const name = (err as { name?: unknown } | null)?.name;
    if (name === "InvalidCiphertextException" || name === "IncorrectKeyException") return wrongKey();
    if (name === "AccessDeniedException") {
      return new CofferError(
        "PERMISSION_DENIED",
        `AWS KMS denied ${action} with key ${kms.keyId}: check the IAM permissions (kms:Encrypt, kms:Decrypt), and that the database's keys were wrapped by this KMS key`,
        { field: "masterKey.keyId" },
        { cause: err },
      );
    }
    if (name === "NotFoundException" || name === "DisabledException" || name === "KMSInvalidStateException") {
      return new CofferError(
        "CONFIG",
        `AWS KMS cannot ${action} with key ${kms.keyId}: ${String(name)}`,
        { field: "masterKey.keyId" },
        { cause: err },
      );
    }
    return new CofferError(
      "UNAVAILABLE",
      `AWS KMS could not ${action} a data key`,
      { provider: "postgres" },
      { cause: err },
    );
  };
  return {
    kind: "kms",
    async wrap(dataKey, context) {
      const { client, mod } = await load();
      let out: { CiphertextBlob?: Uint8Array };
      try {
        out = await client.send(
          new mod.EncryptCommand({ KeyId: kms.keyId, Plaintext: dataKey, EncryptionContext: { coffer: context } }),
        );
      } catch (err) {
        throw failure(err, "encrypt");
      }
      if (!out.CiphertextBlob) throw new CofferError("UNAVAILABLE", "AWS KMS returned no ciphertext");
      return Buffer.from(out.CiphertextBlob).toString("base64");
    },
    async unwrap(wrapped, context) {
      const { client, mod } = await load();
      let out: { Plaintext?: Uint8Array };
      try {
        out = await client.send(
          new mod.DecryptCommand({
            KeyId: kms.keyId,
            CiphertextBlob: Buffer.from(wrapped, "base64"),
            EncryptionContext: { coffer: context },
          }),
        );
      } catch (err) {
        throw failure(err, "decrypt");
      }
      if (out.Plaintext?.length !== 32) throw wrongKey();
      if (!out.Plaintext) throw wrongKey();
      return Buffer.from(out.Plaintext);
    },
  };
}

/** The wrapper for a resolved master key; `params` come from the store (salt, scrypt cost). */
export function masterKeyWrapper(masterKey: ResolvedMasterKey, params: MasterKeyParams): MasterKeyWrapper {
  return masterKey.kind === "kms" ? kmsWrapper(masterKey.kms) : localWrapper(masterKey, params);
}
