import type { StateKey } from "./state-key.js";

/**
 * Associated data of a value's ciphertext: scope, name, env, version and encoding. A ciphertext
 * copied to any other row (or relabelled) fails to authenticate.
 */
export function valueBinding(key: StateKey, version: number, encoding: string): Buffer {
  return Buffer.from(JSON.stringify(["coffer.secret.v1", key.scope, key.name, key.env, version, encoding]), "utf8");
}
