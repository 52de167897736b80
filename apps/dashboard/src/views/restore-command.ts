import type { SecretAddress } from "../api/secret-address";

/** The CLI command that restores a deleted secret (`coffer restore api-stripe --scope team:acme`). */
export function restoreCommand(address: SecretAddress): string {
  const { kind, id } = address.scope;
  const parts = ["coffer", "restore", address.name];
  if (kind === "project" || kind === "user") parts.push("--scope", kind);
  else if (kind !== "global") parts.push("--scope", id ? `${kind}:${id}` : kind);
  if (address.provider) parts.push("--provider", address.provider);
  return parts.join(" ");
}
