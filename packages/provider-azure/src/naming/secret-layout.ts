import { CofferError, DEFAULT_NAME_PATTERN, quoteName, type ScopeRef } from "@coffer/core";

/**
 * How Coffer addresses map to Azure Key Vault secret names (see docs/providers/azure.md, "Layouts"):
 *
 * - `scoped` (default): the reversible, case-safe encoding of `azure-secret-name.ts`, every scope
 *   and env state (`API_KEY` is stored as `--capi--ukey`).
 * - `flat`: `<prefix><name>` verbatim, the secrets other tools made, as they are. Only the global
 *   scope's default state exists there, and only names Azure can hold as they are (letters,
 *   digits, `-`): `coffer get prod-db-password` reads the Azure secret `prod-db-password`, and
 *   what Coffer writes is a plain secret of that name. Reads of another scope or an env state find
 *   nothing; writes to them are refused (UNSUPPORTED).
 */
export type AzureLayout = "scoped" | "flat";

/** Every layout, for option checks and messages. */
export const AZURE_LAYOUTS: readonly AzureLayout[] = ["scoped", "flat"];

/** Coffer names the flat layout stores under their own name: Azure's characters, a letter first. */
const FLAT_NAME = /^[A-Za-z][0-9A-Za-z-]*$/;
/** Longest Azure secret name. */
const AZURE_NAME_MAX = 127;

/** True when the layout can hold this state (the flat layout: global default states only). */
export function layoutHolds(layout: AzureLayout, address: { scope: ScopeRef; env?: string | undefined }): boolean {
  return layout === "scoped" || (address.scope.kind === "global" && address.env === undefined);
}

/**
 * Azure name of a state in the flat layout: the prefix and the name, verbatim.
 * @throws CofferError UNSUPPORTED (a scope or env state), INVALID_ARGUMENT (a name Azure cannot hold as it is)
 */
export function flatAzureName(
  provider: string,
  prefix: string,
  address: { name: string; scope: ScopeRef; env?: string | undefined },
): string {
  if (!layoutHolds("flat", address)) {
    const what =
      address.scope.kind === "global" ? `env state ${quoteName(address.env ?? "")}` : `scope ${address.scope.kind}`;
    throw new CofferError(
      "UNSUPPORTED",
      `${provider} uses the flat layout, which holds only global secrets without env states: secret ${quoteName(address.name)} cannot be stored in ${what} there`,
      {
        name: address.name,
        provider,
        rule: "layout: flat",
        hint: "write it to the global scope without an env, or to a provider with layout: scoped",
      },
    );
  }
  const name = address.name;
  if (typeof name !== "string" || !FLAT_NAME.test(name) || prefix.length + name.length > AZURE_NAME_MAX) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `secret name ${typeof name === "string" ? quoteName(name) : "value"} cannot be an Azure Key Vault secret name as it is (the flat layout): use letters, digits and -, starting with a letter, at most ${AZURE_NAME_MAX - prefix.length} characters`,
      { field: "name", rule: "[A-Za-z][0-9A-Za-z-]* (layout: flat)" },
    );
  }
  return `${prefix}${name}`;
}

/**
 * The Coffer name an Azure secret has in the flat layout: the rest of its name after the prefix,
 * when that is a Coffer name Azure holds as it is; undefined otherwise (other prefixes, and the
 * escaped names of the scoped layout, which start with `-`).
 */
export function flatNameOf(prefix: string, azureName: string): string | undefined {
  if (!azureName.toLowerCase().startsWith(prefix)) return undefined;
  const name = azureName.slice(prefix.length);
  return FLAT_NAME.test(name) && DEFAULT_NAME_PATTERN.test(name) ? name : undefined;
}
