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

/** Deadline of a recover or delete poll loop. */
const LONG_RUNNING_TIMEOUT_MS = 5 * 60_000;

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
 * rotation grace, and the new version written with its Coffer tags. A soft-deleted state counts
 * as absent: it is recovered and written on top (its versions stay in its history).
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
    const found = await currentForWrite(ctx, address, azureName);
    if (setOptions?.mode === "create" && found !== undefined) {
      throw new CofferError(
        "ALREADY_EXISTS",
        `secret ${quoteName(address.name)} already exists (version ${found.version})`,
        {
          name: address.name,
          provider: providerName,
          currentVersion: found.version,
        },
      );
    }
    const currentVersion = found?.version ?? 0;
    if (setOptions?.ifVersion !== undefined && setOptions.ifVersion !== currentVersion) {
      throw new CofferError(
        "CONFLICT",
        `secret ${quoteName(address.name)} is at version ${currentVersion}, not ${setOptions.ifVersion}`,
        { name: address.name, provider: providerName, currentVersion },
      );
    }
    // `found` undefined: the state is missing, or deleted but recoverable (Azure refuses a write to
    // it with CONFLICT). A deleted state counts as absent: it is recovered and written on top, so
    // its deleted versions stay in its history; if that write fails it is deleted again.
    const write1 = (current: Awaited<ReturnType<typeof currentForWrite>>, replaced: boolean) =>
      writeVersion(ctx, address, azureName, write, { encoding, expiresOn, attributes }, current, replaced);
    try {
      return await write1(found, false);
    } catch (err) {
      if (found !== undefined || !isCofferError(err, "CONFLICT")) throw err;
    }
    await recoverState(ctx, address, azureName);
    try {
      const recovered = await currentForWrite(ctx, address, azureName);
      return await write1(recovered, true);
    } catch (err) {
      await deleteStateAgain(ctx, address, azureName).catch(() => undefined);
      throw err;
    }
  });
}

/** Recover one soft-deleted state (long-running: polled until done). */
async function recoverState(ctx: AzureProviderContext, address: SecretAddress, azureName: string): Promise<void> {
  try {
    await ctx.api.call("restore", address.name, async (s) => {
      const poller = await s.beginRecoverDeletedSecret(azureName, {
        intervalInMs: ctx.options.pollIntervalMs,
        abortSignal: AbortSignal.timeout(LONG_RUNNING_TIMEOUT_MS),
      });
      return poller.pollUntilDone();
    });
  } finally {
    ctx.cache.invalidate(azureName);
  }
}

/** Soft-delete one state again after a failed write on top of its recovery. */
async function deleteStateAgain(ctx: AzureProviderContext, address: SecretAddress, azureName: string): Promise<void> {
  try {
    await ctx.api.call("delete", address.name, async (s) => {
      const poller = await s.beginDeleteSecret(azureName, {
        intervalInMs: ctx.options.pollIntervalMs,
        abortSignal: AbortSignal.timeout(LONG_RUNNING_TIMEOUT_MS),
      });
      return poller.pollUntilDone();
    });
  } finally {
    ctx.cache.invalidate(azureName);
  }
}

/** Write version `current + 1` (1 when there is none) with its Coffer tags. */
async function writeVersion(
  ctx: AzureProviderContext,
  address: SecretAddress,
  azureName: string,
  write: SecretWrite,
  checked: ReturnType<typeof checkWrite>,
  current: Awaited<ReturnType<typeof currentForWrite>>,
  replacedDeleted: boolean,
): Promise<SecretMetadata> {
  const { encoding, expiresOn, attributes } = checked;
  const version = (current?.version ?? 0) + 1;
  const tags = packCofferTags({
    name: address.name,
    scope: address.scope,
    ...(address.env === undefined ? {} : { env: address.env }),
    version,
    ...(current === undefined || replacedDeleted ? {} : { createdAt: current.createdAt }),
    attributes,
    ...(write.reason === undefined ? {} : { reason: write.reason }),
  });
  if (current !== undefined && !replacedDeleted)
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
  } finally {
    ctx.cache.invalidate(azureName);
  }
  const createdAt =
    current !== undefined && !replacedDeleted
      ? current.createdAt
      : (iso(written.properties.createdOn) ?? new Date().toISOString());
  const meta = metadataOf(
    ctx,
    address,
    written.properties,
    version,
    createdAt,
    parseCofferTags(written.properties.tags),
  );
  if (replacedDeleted) meta.replacedDeleted = true;
  return meta;
}
