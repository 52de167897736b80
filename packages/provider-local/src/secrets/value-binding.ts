import type { StateKey } from "./state-key.js";

/**
 * Associated data of a value's ciphertext: scope, name, env, version, encoding and the version's
 * attributes exactly as stored. A ciphertext copied to any other row, relabelled, or whose
 * attributes were edited in the file (for example to drop `writeOnly` or `allowedAgentIds`)
 * fails to authenticate.
 */
export function valueBinding(key: StateKey, version: number, encoding: string, attributesJson: string): Buffer {
  return Buffer.from(
    JSON.stringify(["coffer.secret.v2", key.scope, key.name, key.env, version, encoding, attributesJson]),
    "utf8",
  );
}
