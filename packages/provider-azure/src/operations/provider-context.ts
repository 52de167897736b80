import type { DeletedSecret, SecretProperties } from "@azure/keyvault-secrets";
import {
  CofferError,
  GLOBAL_SCOPE,
  quoteName,
  type ReadCache,
  type ScopeRef,
  type SecretAddress,
  type SecretRef,
  type StoredSecret,
  scopeKey,
} from "@coffer/core";
import { hasCofferIdentity, type ParsedCofferTags, parseCofferTags } from "../metadata/secret-tags.js";
import { foreignSecretIdentity, toAzureSecretName } from "../naming/azure-secret-name.js";
import { flatAzureName, flatNameOf, layoutHolds } from "../naming/secret-layout.js";
import type { ResolvedAzureOptions } from "../options.js";
import type { KeyVaultApi } from "../transport/key-vault-api.js";
import type { KeyedLock } from "./keyed-lock.js";

/** What every operation of one provider instance shares. */
export interface AzureProviderContext {
  /** Resolved options. */
  options: ResolvedAzureOptions;
  /** The Azure door (breaker, retries, time-outs, error translation). */
  api: KeyVaultApi;
  /** Cache of reads, grouped by Azure secret name. */
  cache: ReadCache<StoredSecret>;
  /** Serializes the check-then-write steps of this instance per Azure secret name. */
  writeLock: KeyedLock;
}

/** Who a stored Azure secret belongs to in Coffer's terms. */
export interface SecretIdentity {
  name: string;
  scope: ScopeRef;
  env?: string;
}

/** ISO 8601 text of an Azure date, undefined when absent. */
export const iso = (date: Date | undefined): string | undefined =>
  date === undefined ? undefined : date.toISOString();

/** The NOT_FOUND error of a state (or one of its versions, with `detail`). */
export function notFound(ctx: AzureProviderContext, address: SecretAddress, detail = ""): CofferError {
  const where = `${address.scope.kind === "global" ? "" : ` in scope ${scopeKey(address.scope)}`}${address.env === undefined ? "" : ` (env ${address.env})`}`;
  return new CofferError(
    "NOT_FOUND",
    `secret ${quoteName(address.name)}${where} not found in ${ctx.options.vaultUrl}${detail}`,
    {
      name: address.name,
      provider: ctx.options.name,
    },
  );
}

/**
 * The Azure secret name of `address`.
 * @throws CofferError INVALID_ARGUMENT when the address is missing or cannot be encoded
 */
export function azureNameOf(ctx: AzureProviderContext, address: SecretAddress): string {
  if (address === null || typeof address !== "object") {
    throw new CofferError("INVALID_ARGUMENT", "a secret address is required", { field: "name" });
  }
  if (ctx.options.layout === "flat") return flatAzureName(ctx.options.name, ctx.options.prefix, address);
  return toAzureSecretName(address, ctx.options.prefix);
}

/** What a miss of a state the flat layout cannot hold adds to its message. */
export const FLAT_LAYOUT_MISS = " (the flat layout holds only global secrets without env states)";

/** True when this provider's layout can hold the state (see `naming/secret-layout.ts`). */
export function holdsState(ctx: AzureProviderContext, address: { scope: ScopeRef; env?: string | undefined }): boolean {
  return layoutHolds(ctx.options.layout, address);
}

/**
 * Check a secret reference before any call.
 * @throws CofferError INVALID_ARGUMENT when it is missing or cannot be encoded
 */
export function checkRef(ctx: AzureProviderContext, ref: SecretRef): void {
  if (ref === null || typeof ref !== "object") {
    throw new CofferError("INVALID_ARGUMENT", "a secret reference is required", { field: "name" });
  }
  // A scope the flat layout cannot hold has no states to find: the operation then finds none.
  if (holdsState(ctx, ref)) azureNameOf(ctx, { name: ref.name, scope: ref.scope });
}

/** Who the Azure secret `azureName` with these tags belongs to; undefined when it is not addressable. */
export function identityOf(
  ctx: AzureProviderContext,
  azureName: string,
  tags: Record<string, string> | undefined,
): SecretIdentity | undefined {
  const prefix = ctx.options.prefix;
  if (ctx.options.layout === "flat") {
    // Names, not tags, say who a secret is here: the Azure name is the Coffer name.
    const name = flatNameOf(prefix, azureName);
    return name === undefined ? undefined : { name, scope: GLOBAL_SCOPE };
  }
  const parsed = parseCofferTags(tags);
  if (hasCofferIdentity(parsed)) {
    const identity: SecretIdentity = {
      name: parsed.name!,
      scope: parsed.scope!,
      ...(parsed.env === undefined ? {} : { env: parsed.env }),
    };
    try {
      // Tags copied onto another secret (or another prefix) do not make it this one.
      return toAzureSecretName(identity, prefix) === azureName.toLowerCase() ? identity : undefined;
    } catch {
      return undefined;
    }
  }
  const foreign = foreignSecretIdentity(azureName, prefix);
  if (foreign === undefined) return undefined;
  return { name: foreign.name, scope: GLOBAL_SCOPE, ...(foreign.env === undefined ? {} : { env: foreign.env }) };
}

function sameIdentity(a: SecretIdentity, b: SecretIdentity): boolean {
  return a.name === b.name && scopeKey(a.scope) === scopeKey(b.scope) && a.env === b.env;
}

/** True when the tags name a different Coffer secret than `address` (never for untagged versions). */
export function tagsDisagree(parsed: ParsedCofferTags, address: SecretAddress): boolean {
  if (!hasCofferIdentity(parsed)) return false;
  return !sameIdentity(
    { name: parsed.name!, scope: parsed.scope!, ...(parsed.env === undefined ? {} : { env: parsed.env }) },
    address,
  );
}

/** An Azure secret (live or deleted) that holds one state of a Coffer secret. */
export interface AzureState {
  azureName: string;
  identity: SecretIdentity;
  properties: SecretProperties;
  deleted?: DeletedSecret;
}
