import type { KeyVaultSecret } from "@azure/keyvault-secrets";
import {
  CofferError,
  type GetManyResult,
  type ProviderGetOptions,
  quoteName,
  type SecretAddress,
  type StoredSecret,
  toCofferError,
} from "@coffer/core";
import { hasCofferIdentity, parseCofferTags } from "../metadata/secret-tags.js";
import { foreignAzureNameOf } from "../naming/azure-secret-name.js";
import { mapConcurrently } from "../transport/concurrency.js";
import { orMissing } from "../transport/key-vault-api.js";
import {
  type AzureProviderContext,
  azureNameOf,
  FLAT_LAYOUT_MISS,
  holdsState,
  iso,
  notFound,
  type SecretIdentity,
  tagsDisagree,
} from "./provider-context.js";
import { metadataOf, numberAndCreation, versionsOf } from "./secret-versions.js";

async function storedOf(
  ctx: AzureProviderContext,
  identity: SecretIdentity,
  azureName: string,
  secret: KeyVaultSecret,
): Promise<StoredSecret> {
  const parsed = parseCofferTags(secret.properties.tags);
  const { version, createdAt } = await numberAndCreation(ctx, "get", identity.name, azureName, secret.properties);
  return { ...metadataOf(ctx, identity, secret.properties, version, createdAt, parsed), value: secret.value ?? "" };
}

async function loadCurrent(
  ctx: AzureProviderContext,
  address: SecretAddress,
  azureName: string,
): Promise<StoredSecret> {
  const secret = await orMissing(ctx.api.call("get", address.name, (s) => s.getSecret(azureName)));
  if (ctx.options.layout === "flat") {
    // Azure compares names ignoring case; the flat layout's names are exact.
    if (secret === undefined || secret.name !== azureName) throw notFound(ctx, address);
    return storedOf(ctx, address, azureName, secret);
  }
  if (secret !== undefined) {
    if (tagsDisagree(parseCofferTags(secret.properties.tags), address)) throw notFound(ctx, address);
    return storedOf(ctx, address, azureName, secret);
  }
  const foreignName = foreignAzureNameOf(address, ctx.options.prefix);
  if (foreignName !== undefined) {
    const foreign = await orMissing(ctx.api.call("get", address.name, (s) => s.getSecret(foreignName)));
    // Azure compares names ignoring case; only an exact, untagged match is this foreign secret.
    if (
      foreign !== undefined &&
      foreign.name === foreignName &&
      !hasCofferIdentity(parseCofferTags(foreign.properties.tags))
    ) {
      return storedOf(ctx, address, foreignName, foreign);
    }
  }
  throw notFound(ctx, address);
}

async function loadVersion(
  ctx: AzureProviderContext,
  address: SecretAddress,
  azureName: string,
  version: number,
): Promise<StoredSecret> {
  const { holder, numbered } = await versionsOf(ctx, "get", address, azureName);
  const index = numbered.findIndex((entry) => entry.number === version);
  if (index < 0) throw notFound(ctx, address, numbered.length === 0 ? "" : ` (no version ${version})`);
  const entry = numbered[index]!;
  const parsed = parseCofferTags(entry.properties.tags);
  if (index < numbered.length - 1 && parsed.validUntil !== undefined && Date.parse(parsed.validUntil) <= Date.now()) {
    throw new CofferError(
      "EXPIRED",
      `version ${version} of secret ${quoteName(address.name)} stopped being readable at ${parsed.validUntil} (it was rotated)`,
      { name: address.name, provider: ctx.options.name, validUntil: parsed.validUntil },
    );
  }
  const azureVersion = entry.properties.version;
  const secret = await ctx.api.call("get", address.name, (s) =>
    s.getSecret(holder, azureVersion === undefined ? {} : { version: azureVersion }),
  );
  const createdAt = parsed.createdAt ?? iso(numbered[0]!.properties.createdOn) ?? new Date().toISOString();
  return { ...metadataOf(ctx, address, secret.properties, version, createdAt, parsed), value: secret.value ?? "" };
}

/**
 * Read the current (or a given) version, from the cache when fresh enough.
 * @throws CofferError INVALID_ARGUMENT, NOT_FOUND, EXPIRED, PERMISSION_DENIED, UNAVAILABLE
 */
export async function getSecret(
  ctx: AzureProviderContext,
  address: SecretAddress,
  getOptions: ProviderGetOptions = {},
): Promise<StoredSecret> {
  if (!holdsState(ctx, address)) throw notFound(ctx, address, FLAT_LAYOUT_MISS);
  const azureName = azureNameOf(ctx, address);
  const version = getOptions?.version;
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
    throw new CofferError("INVALID_ARGUMENT", "version must be an integer >= 1", {
      field: "version",
      name: address.name,
    });
  }
  const read = await ctx.cache.read(
    azureName,
    version === undefined ? "current" : `v${version}`,
    () =>
      version === undefined ? loadCurrent(ctx, address, azureName) : loadVersion(ctx, address, azureName, version),
    { fresh: getOptions?.noCache === true },
  );
  const copy = structuredClone(read.value);
  if (read.fromCache) copy.cachedAgeMs = read.ageMs;
  return copy;
}

/** Read many current versions, `maxConcurrency` at a time; each answer says ok or its error. */
export async function getManySecrets(ctx: AzureProviderContext, addresses: SecretAddress[]): Promise<GetManyResult[]> {
  return mapConcurrently(addresses, ctx.options.maxConcurrency, async (address): Promise<GetManyResult> => {
    try {
      return { ok: true, secret: await getSecret(ctx, address) };
    } catch (err) {
      return { ok: false, error: toCofferError(err) };
    }
  });
}
