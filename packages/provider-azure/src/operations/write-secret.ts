import type { KeyVaultSecret, SecretProperties } from "@azure/keyvault-secrets";
import {
  CofferError,
  GLOBAL_SCOPE,
  isCofferError,
  type ProviderSetOptions,
  quoteName,
  type SecretAddress,
  type SecretAttributes,
  type SecretMetadata,
  type SecretWrite,
  scopeKey,
} from "@coffer/core";
import { BASE64_CONTENT_TYPE, TEXT_CONTENT_TYPE } from "../metadata/content-type.js";
import { AZURE_MAX_TAGS, packCofferTags, parseCofferTags, TAG } from "../metadata/secret-tags.js";
import { orMissing } from "../transport/key-vault-api.js";
import { type AzureProviderContext, azureNameOf, iso, tagsDisagree } from "./provider-context.js";
import { metadataOf, numberAndCreation } from "./secret-versions.js";

/** Largest value Azure Key Vault stores, in bytes of the stored text. */
export const AZURE_MAX_VALUE_BYTES = 25 * 1024;

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The caller-settable attributes of a write, without `expiresAt` (an Azure attribute). */
function attributesOf(write: SecretAttributes): Omit<SecretAttributes, "expiresAt"> {
  const { description, tags, ttlSeconds, rotationFormat, rotationPrefix, allowedAgentIds, writeOnly } = write;
  const attributes: Omit<SecretAttributes, "expiresAt"> = {};
  if (description !== undefined) attributes.description = description;
  if (tags !== undefined) attributes.tags = tags;
  if (ttlSeconds !== undefined) attributes.ttlSeconds = ttlSeconds;
  if (rotationFormat !== undefined) attributes.rotationFormat = rotationFormat;
  if (rotationPrefix !== undefined) attributes.rotationPrefix = rotationPrefix;
  if (allowedAgentIds !== undefined) attributes.allowedAgentIds = allowedAgentIds;
  if (writeOnly !== undefined) attributes.writeOnly = writeOnly;
  return attributes;
}

/** The current version as seen by a writer: always fresh, never from the cache. */
async function currentForWrite(ctx: AzureProviderContext, address: SecretAddress, azureName: string) {
  const secret = await orMissing(ctx.api.call("set", address.name, (s) => s.getSecret(azureName)));
  if (secret === undefined) return undefined;
  if (ctx.options.layout === "flat" && secret.name !== azureName) {
    // Azure compares names ignoring case: writing would change the secret of the other spelling.
    throw new CofferError(
      "CONFLICT",
      `Azure secret ${quoteName(secret.name)} already exists and differs from ${quoteName(azureName)} only in case; refusing to overwrite it`,
      { name: address.name, provider: ctx.options.name },
    );
  }
  const parsed = parseCofferTags(secret.properties.tags);
  if (tagsDisagree(parsed, address)) {
    throw new CofferError(
      "CONFLICT",
      `Azure secret ${quoteName(azureName)} already holds a different Coffer secret (${quoteName(parsed.name ?? "")} in ${scopeKey(parsed.scope ?? GLOBAL_SCOPE)}); refusing to overwrite it`,
      { name: address.name, provider: ctx.options.name },
    );
  }
  const { version, createdAt } = await numberAndCreation(ctx, "set", address.name, azureName, secret.properties);
  return { version, createdAt, properties: secret.properties };
}

/** Mark (or unmark) the version being superseded with the end of its rotation grace. */
async function setGrace(
  ctx: AzureProviderContext,
  address: SecretAddress,
  azureName: string,
  properties: SecretProperties,
  previousValidForSeconds: number | undefined,
): Promise<void> {
  const tags = { ...(properties.tags ?? {}) };
  const had = tags[TAG.validUntil];
  if (previousValidForSeconds === undefined) {
    if (had === undefined) return;
    delete tags[TAG.validUntil];
  } else {
    tags[TAG.validUntil] = new Date(Date.now() + previousValidForSeconds * 1000).toISOString();
    if (Object.keys(tags).length > AZURE_MAX_TAGS) return;
  }
  const version = properties.version;
  if (version === undefined) return;
  await ctx.api.call("set", address.name, (s) => s.updateSecretProperties(azureName, version, { tags }));
}

function checkWrite(
  ctx: AzureProviderContext,
  address: SecretAddress,
  write: SecretWrite,
  setOptions: ProviderSetOptions,
) {
  if (write === null || typeof write !== "object" || typeof write.value !== "string") {
    throw new CofferError("INVALID_ARGUMENT", "a secret value (string) is required", {
      field: "value",
      name: address.name,
    });
  }
  const encoding = write.encoding ?? "utf-8";
  if (encoding !== "utf-8" && encoding !== "base64") {
    throw new CofferError("INVALID_ARGUMENT", 'encoding must be "utf-8" or "base64"', {
      field: "encoding",
      name: address.name,
    });
  }
  if (encoding === "base64" && !BASE64_PATTERN.test(write.value)) {
    throw new CofferError("INVALID_ARGUMENT", `the value of ${quoteName(address.name)} is not valid base64`, {
      field: "value",
      name: address.name,
    });
  }
  const bytes = Buffer.byteLength(write.value, "utf8");
  if (bytes > AZURE_MAX_VALUE_BYTES) {
    throw new CofferError(
      "TOO_LARGE",
      `the value of ${quoteName(address.name)} is ${bytes} bytes${encoding === "base64" ? " as base64" : ""}; Azure Key Vault stores at most ${AZURE_MAX_VALUE_BYTES} bytes per secret`,
      { field: "value", name: address.name, provider: ctx.options.name, limit: AZURE_MAX_VALUE_BYTES },
    );
  }
  let expiresOn: Date | undefined;
  if (write.expiresAt !== undefined) {
    expiresOn = new Date(write.expiresAt);
    if (typeof write.expiresAt !== "string" || Number.isNaN(expiresOn.getTime())) {
      throw new CofferError("INVALID_ARGUMENT", "expiresAt must be an ISO 8601 time", {
        field: "expiresAt",
        name: address.name,
      });
    }
  }
  if (setOptions.ifVersion !== undefined && (!Number.isInteger(setOptions.ifVersion) || setOptions.ifVersion < 0)) {
    throw new CofferError("INVALID_ARGUMENT", "ifVersion must be an integer >= 0", {
      field: "ifVersion",
      name: address.name,
    });
  }
  if (setOptions.mode !== undefined && setOptions.mode !== "create" && setOptions.mode !== "upsert") {
    throw new CofferError("INVALID_ARGUMENT", 'mode must be "create" or "upsert"', {
      field: "mode",
      name: address.name,
    });
  }
  const grace = write.previousValidForSeconds;
  if (grace !== undefined && (typeof grace !== "number" || !Number.isFinite(grace) || grace < 0)) {
    throw new CofferError("INVALID_ARGUMENT", "previousValidForSeconds must be a number >= 0", {
      field: "previousValidForSeconds",
      name: address.name,
    });
  }
  const attributes = attributesOf(write);
  // Fails now (before any call) when the metadata cannot fit Azure's tag limits.
  packCofferTags({
    ...address,
    version: Number.MAX_SAFE_INTEGER,
    createdAt: new Date(0).toISOString(),
    attributes,
    ...(write.reason === undefined ? {} : { reason: write.reason }),
  });
  return { encoding, expiresOn, attributes };
}

/**
 * Write a new version: checked before any call, then, under this instance's lock of the Azure
 * name, compared with the current version (`mode`, `ifVersion`), the superseded version given its
 * rotation grace, and the new version written with its Coffer tags.
 * @throws CofferError INVALID_ARGUMENT, TOO_LARGE, ALREADY_EXISTS, CONFLICT, PERMISSION_DENIED, UNAVAILABLE
 */
export async function setSecret(
  ctx: AzureProviderContext,
  address: SecretAddress,
  write: SecretWrite,
  setOptions: ProviderSetOptions = {},
): Promise<SecretMetadata> {
  const providerName = ctx.options.name;
  const azureName = azureNameOf(ctx, address);
  const { encoding, expiresOn, attributes } = checkWrite(ctx, address, write, setOptions ?? {});
  return ctx.writeLock.run(azureName, async () => {
    const current = await currentForWrite(ctx, address, azureName);
    if (setOptions?.mode === "create" && current !== undefined) {
      throw new CofferError(
        "ALREADY_EXISTS",
        `secret ${quoteName(address.name)} already exists (version ${current.version})`,
        {
          name: address.name,
          provider: providerName,
          currentVersion: current.version,
        },
      );
    }
    const currentVersion = current?.version ?? 0;
    if (setOptions?.ifVersion !== undefined && setOptions.ifVersion !== currentVersion) {
      throw new CofferError(
        "CONFLICT",
        `secret ${quoteName(address.name)} is at version ${currentVersion}, not ${setOptions.ifVersion}`,
        { name: address.name, provider: providerName, currentVersion },
      );
    }
    const version = currentVersion + 1;
    const tags = packCofferTags({
      name: address.name,
      scope: address.scope,
      ...(address.env === undefined ? {} : { env: address.env }),
      version,
      ...(current === undefined ? {} : { createdAt: current.createdAt }),
      attributes,
      ...(write.reason === undefined ? {} : { reason: write.reason }),
    });
    if (current !== undefined)
      await setGrace(ctx, address, azureName, current.properties, write.previousValidForSeconds);
    ctx.cache.invalidate(azureName);
    let written: KeyVaultSecret;
    try {
      written = await ctx.api.call(
        "set",
        address.name,
        (s) =>
          s.setSecret(azureName, write.value, {
            contentType: encoding === "base64" ? BASE64_CONTENT_TYPE : TEXT_CONTENT_TYPE,
            tags,
            enabled: true,
            ...(expiresOn === undefined ? {} : { expiresOn }),
          }),
        [write.value],
      );
    } catch (err) {
      if (isCofferError(err, "CONFLICT")) {
        throw new CofferError(
          "CONFLICT",
          `secret ${quoteName(address.name)} is deleted but recoverable in ${ctx.options.vaultUrl}; restore it or purge it before writing`,
          { name: address.name, provider: providerName, hint: "coffer restore (or delete --purge) first" },
          { cause: err },
        );
      }
      throw err;
    } finally {
      ctx.cache.invalidate(azureName);
    }
    const createdAt = current?.createdAt ?? iso(written.properties.createdOn) ?? new Date().toISOString();
    return metadataOf(ctx, address, written.properties, version, createdAt, parseCofferTags(written.properties.tags));
  });
}
