import type { SecretProperties } from "@azure/keyvault-secrets";
import type { SecretAddress, SecretMetadata } from "@coffer/core";
import { isBase64ContentType } from "../metadata/content-type.js";
import { hasCofferIdentity, type ParsedCofferTags, parseCofferTags } from "../metadata/secret-tags.js";
import { foreignAzureNameOf } from "../naming/azure-secret-name.js";
import { hasAmbiguousOrder, numberVersions } from "../naming/version-numbering.js";
import type { AzureOperation } from "../transport/azure-error.js";
import { collect, orMissing } from "../transport/key-vault-api.js";
import { type AzureProviderContext, iso, type SecretIdentity, tagsDisagree } from "./provider-context.js";

/** Coffer metadata of one Azure version of `identity`. */
export function metadataOf(
  ctx: AzureProviderContext,
  identity: SecretIdentity,
  properties: SecretProperties,
  version: number,
  createdAt: string,
  parsed: ParsedCofferTags,
): SecretMetadata {
  const metadata: SecretMetadata = {
    name: identity.name,
    scope:
      identity.scope.kind === "global"
        ? { kind: "global" }
        : { kind: identity.scope.kind, id: identity.scope.id ?? "" },
    version,
    encoding: isBase64ContentType(properties.contentType) ? "base64" : "utf-8",
    createdAt,
    updatedAt: iso(properties.createdOn) ?? iso(properties.updatedOn) ?? createdAt,
    provider: ctx.options.name,
    ...structuredClone(parsed.attributes),
  };
  if (identity.env !== undefined) metadata.env = identity.env;
  if (properties.version !== undefined) metadata.versionId = properties.version;
  if (properties.expiresOn !== undefined) metadata.expiresAt = properties.expiresOn.toISOString();
  return metadata;
}

/** Every version of an Azure secret (properties only); [] when it does not exist. */
export async function listVersions(
  ctx: AzureProviderContext,
  operation: AzureOperation,
  name: string,
  azureName: string,
): Promise<SecretProperties[]> {
  return (
    (await orMissing(ctx.api.call(operation, name, (s) => collect(s.listPropertiesOfSecretVersions(azureName))))) ?? []
  );
}

/** Coffer version number and first-creation time of one version, listing versions when untagged. */
export async function numberAndCreation(
  ctx: AzureProviderContext,
  operation: AzureOperation,
  name: string,
  azureName: string,
  properties: SecretProperties,
): Promise<{ version: number; createdAt: string }> {
  const parsed = parseCofferTags(properties.tags);
  if (parsed.version !== undefined) {
    return {
      version: parsed.version,
      createdAt: parsed.createdAt ?? iso(properties.createdOn) ?? new Date().toISOString(),
    };
  }
  // `properties` is the current version, so it is the newest even within its second.
  const numbered = numberVersions(await listVersions(ctx, operation, name, azureName), properties.version);
  const own = numbered.find((entry) => entry.properties.version === properties.version);
  const first = numbered[0]?.properties.createdOn ?? properties.createdOn;
  return {
    version: own?.number ?? numbered.at(-1)?.number ?? 1,
    createdAt: parsed.createdAt ?? iso(first) ?? new Date().toISOString(),
  };
}

/** The Azure name holding `address` and its versions, numbered oldest first. */
export async function versionsOf(
  ctx: AzureProviderContext,
  operation: AzureOperation,
  address: SecretAddress,
  azureName: string,
) {
  let holder = azureName;
  let versions = await listVersions(ctx, operation, address.name, azureName);
  const foreignName =
    versions.length === 0 && ctx.options.layout === "scoped"
      ? foreignAzureNameOf(address, ctx.options.prefix)
      : undefined;
  if (foreignName !== undefined) {
    const foreign = await listVersions(ctx, operation, address.name, foreignName);
    const latest = numberVersions(foreign).at(-1)?.properties;
    if (latest !== undefined && latest.name === foreignName && !hasCofferIdentity(parseCofferTags(latest.tags))) {
      holder = foreignName;
      versions = foreign;
    }
  }
  let latestId: string | undefined;
  if (hasAmbiguousOrder(versions)) {
    // Same-second versions written by other tools: ask which one is current.
    const current = await orMissing(ctx.api.call(operation, address.name, (s) => s.getSecret(holder)));
    latestId = current?.properties.version;
  }
  const numbered = numberVersions(versions, latestId);
  const latest = numbered.at(-1);
  // Azure compares names ignoring case; the flat layout's names are exact.
  const otherCase = ctx.options.layout === "flat" && latest !== undefined && latest.properties.name !== azureName;
  if (latest === undefined || otherCase || tagsDisagree(parseCofferTags(latest.properties.tags), address))
    return { holder, numbered: [] };
  return { holder, numbered };
}
