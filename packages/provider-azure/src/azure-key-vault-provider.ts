/**
 * Coffer provider for Azure Key Vault.
 *
 * Example configuration (`coffer.yaml`):
 *
 * ```yaml
 * providers:
 *   azure-keyvault:
 *     vaultUrl: https://my-vault.vault.azure.net
 *     cacheTtlSeconds: 300
 *     maxRetries: 3
 * ```
 *
 * In code:
 *
 * ```ts
 * import { azureKeyVault } from "@coffer/provider-azure";
 * const provider = azureKeyVault({ vaultUrl: "https://my-vault.vault.azure.net" });
 * ```
 *
 * The Azure SDK (`@azure/keyvault-secrets`, `@azure/identity`) is loaded on the first call, so
 * merely configuring the provider costs nothing.
 */
import { readFileSync } from "node:fs";
import type { DeletedSecret, KeyVaultSecret, SecretClient, SecretProperties } from "@azure/keyvault-secrets";
import {
  CircuitBreaker,
  CofferError,
  type GetManyResult,
  GLOBAL_SCOPE,
  isCofferError,
  type Page,
  type Provider,
  type ProviderCapabilities,
  type ProviderDeleteOptions,
  type ProviderGetOptions,
  type ProviderListQuery,
  type ProviderSetOptions,
  quoteName,
  ReadCache,
  SCOPE_KINDS,
  type ScopeRef,
  type SecretAddress,
  type SecretAttributes,
  type SecretMetadata,
  type SecretRef,
  type SecretVersionInfo,
  type SecretWrite,
  type StoredSecret,
  scopeKey,
  toCofferError,
} from "@coffer/core";
import { type AzureOperation, toCofferErrorFromAzure } from "./azure-error.js";
import type { AzureKeyVaultOptions, AzureTokenCredential } from "./azure-key-vault-options.js";
import {
  foreignAzureNameOf,
  foreignSecretIdentity,
  toAzureSecretName,
  validateNamePrefix,
} from "./azure-secret-name.js";
import { mapConcurrently } from "./concurrency.js";
import { KeyedLock } from "./keyed-lock.js";
import { type AzurePipelinePolicy, cofferRetryPolicy, extraCaPolicy } from "./pipeline-policies.js";
import {
  AZURE_MAX_TAGS,
  hasCofferIdentity,
  type ParsedCofferTags,
  packCofferTags,
  parseCofferTags,
  TAG,
} from "./secret-tags.js";
import { hasAmbiguousOrder, numberVersions } from "./version-numbering.js";

/** Kind of this provider. */
export const AZURE_KEY_VAULT_KIND = "azure-keyvault";
/** Content type of values stored from base64 (the secret holds the base64 text). */
export const BASE64_CONTENT_TYPE = "application/octet-stream;base64";
/** Content type of text values. */
export const TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";
/** Largest value Azure Key Vault stores, in bytes of the stored text. */
export const AZURE_MAX_VALUE_BYTES = 25 * 1024;

/** `Retry-After` longer than this ends the retries at once (UNAVAILABLE with the advice). */
const MAX_RETRY_AFTER_MS = 30_000;
const MAX_RETRY_DELAY_MS = 8_000;
/** Deadline of one delete or recover poll loop. */
const LONG_RUNNING_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Who a stored Azure secret belongs to in Coffer's terms. */
interface SecretIdentity {
  name: string;
  scope: ScopeRef;
  env?: string;
}

/** An Azure secret (live or deleted) that holds one state of a Coffer secret. */
interface AzureState {
  azureName: string;
  identity: SecretIdentity;
  properties: SecretProperties;
  deleted?: DeletedSecret;
}

const iso = (date: Date | undefined): string | undefined => (date === undefined ? undefined : date.toISOString());

function nonNegativeInteger(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new CofferError("CONFIG", `azure-keyvault option ${field} must be an integer >= 0`, { field });
  }
  return value;
}

function positiveInteger(value: unknown, field: string, fallback: number): number {
  const n = nonNegativeInteger(value, field, fallback);
  if (n === 0) throw new CofferError("CONFIG", `azure-keyvault option ${field} must be at least 1`, { field });
  return n;
}

function checkVaultUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== "https:" || url.search !== "" || url.hash !== "") {
    throw new CofferError(
      "CONFIG",
      "azure-keyvault option vaultUrl must be an https URL such as https://my-vault.vault.azure.net",
      { field: "vaultUrl" },
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, "");
}

function isBase64ContentType(contentType: string | undefined): boolean {
  return contentType?.replace(/\s+/g, "").toLowerCase() === BASE64_CONTENT_TYPE;
}

function sameIdentity(a: SecretIdentity, b: SecretIdentity): boolean {
  return a.name === b.name && scopeKey(a.scope) === scopeKey(b.scope) && a.env === b.env;
}

function sortKey(identity: SecretIdentity): [string, string, string] {
  return [scopeKey(identity.scope), identity.name, identity.env ?? ""];
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

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

/**
 * An Azure Key Vault provider. Every Coffer state (name + scope + env) is one Azure secret whose
 * name is a reversible encoding of the three (see `toAzureSecretName`); Coffer's metadata rides
 * in `coffer-*` tags; each write is a new Azure version tagged with its Coffer version number.
 * Deletes are soft (recoverable) unless purged. Reads are cached for `cacheTtlSeconds`.
 * @throws CofferError CONFIG when an option is invalid (checked here, before any call)
 */
export function azureKeyVault(options: AzureKeyVaultOptions): Provider {
  if (options === null || typeof options !== "object") {
    throw new CofferError("CONFIG", "azure-keyvault needs options with a vaultUrl", { field: "vaultUrl" });
  }
  const vaultUrl = checkVaultUrl(options.vaultUrl);
  const providerName = options.name ?? AZURE_KEY_VAULT_KIND;
  if (typeof providerName !== "string" || providerName.length === 0) {
    throw new CofferError("CONFIG", "azure-keyvault option name must be a non-empty string", { field: "name" });
  }
  const prefix = validateNamePrefix(options.prefix ?? "");
  const cacheTtlSeconds = nonNegativeInteger(options.cacheTtlSeconds, "cacheTtlSeconds", 300);
  const maxRetries = nonNegativeInteger(options.maxRetries, "maxRetries", 3);
  const retryDelayMs = nonNegativeInteger(options.retryDelayMs, "retryDelayMs", 500);
  const timeoutMs = positiveInteger(options.timeoutMs, "timeoutMs", 10_000);
  const pollIntervalMs = positiveInteger(options.pollIntervalMs, "pollIntervalMs", 1_000);
  const concurrency = positiveInteger(options.maxConcurrency, "maxConcurrency", 8);
  const serviceVersion = options.serviceVersion ?? "7.5";
  if (!["7.4", "7.5", "7.6"].includes(serviceVersion)) {
    throw new CofferError("CONFIG", 'azure-keyvault option serviceVersion must be "7.4", "7.5" or "7.6"', {
      field: "serviceVersion",
    });
  }
  const extraCas =
    options.extraCaCertificates === undefined
      ? []
      : typeof options.extraCaCertificates === "string"
        ? [options.extraCaCertificates]
        : [...options.extraCaCertificates];
  if (!extraCas.every((ca) => typeof ca === "string" && ca.length > 0)) {
    throw new CofferError("CONFIG", "azure-keyvault option extraCaCertificates must be PEM text or file paths", {
      field: "extraCaCertificates",
    });
  }

  const breaker = new CircuitBreaker({
    provider: providerName,
    service: "Azure Key Vault",
    hint: "check the vault URL, network and Azure status",
    failureThreshold: nonNegativeInteger(options.circuitBreakerThreshold, "circuitBreakerThreshold", 5),
    cooldownMs: nonNegativeInteger(options.circuitBreakerCooldownMs, "circuitBreakerCooldownMs", 30_000),
  });
  const cache = new ReadCache<StoredSecret>(cacheTtlSeconds * 1000);
  const writeLock = new KeyedLock();

  let clientPromise: Promise<SecretClient> | undefined;

  async function defaultCredential(): Promise<AzureTokenCredential> {
    let identity: typeof import("@azure/identity");
    try {
      identity = await import("@azure/identity");
    } catch (err) {
      throw new CofferError(
        "CONFIG",
        "the azure-keyvault provider needs the @azure/identity package for its default credential",
        {
          provider: providerName,
          hint: "install @azure/identity or pass a credential",
        },
        { cause: err },
      );
    }
    return new identity.DefaultAzureCredential({
      ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }),
      ...(options.clientId === undefined
        ? {}
        : { managedIdentityClientId: options.clientId, workloadIdentityClientId: options.clientId }),
    });
  }

  function readCas(): string[] {
    return extraCas.map((ca) => {
      if (ca.includes("-----BEGIN")) return ca;
      try {
        return readFileSync(ca, "utf8");
      } catch (err) {
        throw new CofferError(
          "CONFIG",
          `azure-keyvault cannot read the CA certificate file ${quoteName(ca)}`,
          {
            provider: providerName,
            field: "extraCaCertificates",
          },
          { cause: err },
        );
      }
    });
  }

  async function createClient(): Promise<SecretClient> {
    let secrets: typeof import("@azure/keyvault-secrets");
    try {
      secrets = await import("@azure/keyvault-secrets");
    } catch (err) {
      throw new CofferError(
        "CONFIG",
        "the azure-keyvault provider needs the @azure/keyvault-secrets package",
        {
          provider: providerName,
        },
        { cause: err },
      );
    }
    const cas = readCas();
    const credential = options.credential ?? (await defaultCredential());
    const policies: { policy: AzurePipelinePolicy; position: "perCall" | "perRetry" }[] = [
      {
        policy: cofferRetryPolicy({
          maxRetries,
          retryDelayMs,
          maxRetryDelayMs: MAX_RETRY_DELAY_MS,
          maxRetryAfterMs: MAX_RETRY_AFTER_MS,
          attemptTimeoutMs: timeoutMs,
        }),
        position: "perCall",
      },
    ];
    if (cas.length > 0) policies.push({ policy: extraCaPolicy(cas), position: "perCall" });
    return new secrets.SecretClient(vaultUrl, credential, {
      serviceVersion,
      disableChallengeResourceVerification: options.disableChallengeResourceVerification === true,
      retryOptions: { maxRetries: 0 },
      additionalPolicies: policies,
      userAgentOptions: { userAgentPrefix: "coffer" },
    });
  }

  function client(): Promise<SecretClient> {
    clientPromise ??= createClient().catch((err: unknown) => {
      clientPromise = undefined;
      throw err;
    });
    return clientPromise;
  }

  /** One SDK call: circuit breaker, lazily created client, errors translated. */
  function call<T>(
    operation: AzureOperation,
    name: string | undefined,
    work: (secrets: SecretClient) => Promise<T>,
    redact?: readonly string[],
  ): Promise<T> {
    return breaker.run(async () => {
      const secrets = await client();
      try {
        return await work(secrets);
      } catch (err) {
        throw toCofferErrorFromAzure(err, {
          operation,
          provider: providerName,
          vaultUrl,
          ...(name === undefined ? {} : { name }),
          ...(redact === undefined ? {} : { redact }),
        });
      }
    });
  }

  async function orMissing<T>(promise: Promise<T>): Promise<T | undefined> {
    try {
      return await promise;
    } catch (err) {
      if (isCofferError(err, "NOT_FOUND")) return undefined;
      throw err;
    }
  }

  function notFound(address: SecretAddress, detail = ""): CofferError {
    const where = `${address.scope.kind === "global" ? "" : ` in scope ${scopeKey(address.scope)}`}${address.env === undefined ? "" : ` (env ${address.env})`}`;
    return new CofferError("NOT_FOUND", `secret ${quoteName(address.name)}${where} not found in ${vaultUrl}${detail}`, {
      name: address.name,
      provider: providerName,
    });
  }

  function addressOf(address: SecretAddress): { address: SecretAddress; azureName: string } {
    if (address === null || typeof address !== "object") {
      throw new CofferError("INVALID_ARGUMENT", "a secret address is required", { field: "name" });
    }
    const azureName = toAzureSecretName(address, prefix);
    return { address, azureName };
  }

  /** Who the Azure secret `azureName` with these tags belongs to; undefined when it is not addressable. */
  function identityOf(azureName: string, tags: Record<string, string> | undefined): SecretIdentity | undefined {
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

  /** True when the tags name a different Coffer secret than `address` (never for untagged versions). */
  function tagsDisagree(parsed: ParsedCofferTags, address: SecretAddress): boolean {
    if (!hasCofferIdentity(parsed)) return false;
    return !sameIdentity(
      { name: parsed.name!, scope: parsed.scope!, ...(parsed.env === undefined ? {} : { env: parsed.env }) },
      address,
    );
  }

  function metadataOf(
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
      provider: providerName,
      ...structuredClone(parsed.attributes),
    };
    if (identity.env !== undefined) metadata.env = identity.env;
    if (properties.version !== undefined) metadata.versionId = properties.version;
    if (properties.expiresOn !== undefined) metadata.expiresAt = properties.expiresOn.toISOString();
    return metadata;
  }

  /** Every version of an Azure secret (properties only); [] when it does not exist. */
  async function listVersions(operation: AzureOperation, name: string, azureName: string): Promise<SecretProperties[]> {
    return (await orMissing(call(operation, name, (s) => collect(s.listPropertiesOfSecretVersions(azureName))))) ?? [];
  }

  /** Coffer version number and first-creation time of one version, listing versions when untagged. */
  async function numberAndCreation(
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
    const numbered = numberVersions(await listVersions(operation, name, azureName), properties.version);
    const own = numbered.find((entry) => entry.properties.version === properties.version);
    const first = numbered[0]?.properties.createdOn ?? properties.createdOn;
    return {
      version: own?.number ?? numbered.at(-1)?.number ?? 1,
      createdAt: parsed.createdAt ?? iso(first) ?? new Date().toISOString(),
    };
  }

  async function storedOf(identity: SecretIdentity, azureName: string, secret: KeyVaultSecret): Promise<StoredSecret> {
    const parsed = parseCofferTags(secret.properties.tags);
    const { version, createdAt } = await numberAndCreation("get", identity.name, azureName, secret.properties);
    return { ...metadataOf(identity, secret.properties, version, createdAt, parsed), value: secret.value ?? "" };
  }

  async function loadCurrent(address: SecretAddress, azureName: string): Promise<StoredSecret> {
    const secret = await orMissing(call("get", address.name, (s) => s.getSecret(azureName)));
    if (secret !== undefined) {
      if (tagsDisagree(parseCofferTags(secret.properties.tags), address)) throw notFound(address);
      return storedOf(address, azureName, secret);
    }
    const foreignName = foreignAzureNameOf(address, prefix);
    if (foreignName !== undefined) {
      const foreign = await orMissing(call("get", address.name, (s) => s.getSecret(foreignName)));
      // Azure compares names ignoring case; only an exact, untagged match is this foreign secret.
      if (
        foreign !== undefined &&
        foreign.name === foreignName &&
        !hasCofferIdentity(parseCofferTags(foreign.properties.tags))
      ) {
        return storedOf(address, foreignName, foreign);
      }
    }
    throw notFound(address);
  }

  /** The Azure name holding `address` and its versions, numbered oldest first. */
  async function versionsOf(operation: AzureOperation, address: SecretAddress, azureName: string) {
    let holder = azureName;
    let versions = await listVersions(operation, address.name, azureName);
    const foreignName = versions.length === 0 ? foreignAzureNameOf(address, prefix) : undefined;
    if (foreignName !== undefined) {
      const foreign = await listVersions(operation, address.name, foreignName);
      const latest = numberVersions(foreign).at(-1)?.properties;
      if (latest !== undefined && latest.name === foreignName && !hasCofferIdentity(parseCofferTags(latest.tags))) {
        holder = foreignName;
        versions = foreign;
      }
    }
    let latestId: string | undefined;
    if (hasAmbiguousOrder(versions)) {
      // Same-second versions written by other tools: ask which one is current.
      const current = await orMissing(call(operation, address.name, (s) => s.getSecret(holder)));
      latestId = current?.properties.version;
    }
    const numbered = numberVersions(versions, latestId);
    const latest = numbered.at(-1);
    if (latest === undefined || tagsDisagree(parseCofferTags(latest.properties.tags), address))
      return { holder, numbered: [] };
    return { holder, numbered };
  }

  async function loadVersion(address: SecretAddress, azureName: string, version: number): Promise<StoredSecret> {
    const { holder, numbered } = await versionsOf("get", address, azureName);
    const index = numbered.findIndex((entry) => entry.number === version);
    if (index < 0) throw notFound(address, numbered.length === 0 ? "" : ` (no version ${version})`);
    const entry = numbered[index]!;
    const parsed = parseCofferTags(entry.properties.tags);
    if (index < numbered.length - 1 && parsed.validUntil !== undefined && Date.parse(parsed.validUntil) <= Date.now()) {
      throw new CofferError(
        "EXPIRED",
        `version ${version} of secret ${quoteName(address.name)} stopped being readable at ${parsed.validUntil} (it was rotated)`,
        { name: address.name, provider: providerName, validUntil: parsed.validUntil },
      );
    }
    const azureVersion = entry.properties.version;
    const secret = await call("get", address.name, (s) =>
      s.getSecret(holder, azureVersion === undefined ? {} : { version: azureVersion }),
    );
    const createdAt = parsed.createdAt ?? iso(numbered[0]!.properties.createdOn) ?? new Date().toISOString();
    return { ...metadataOf(address, secret.properties, version, createdAt, parsed), value: secret.value ?? "" };
  }

  /** The current version as seen by a writer: always fresh, never from the cache. */
  async function currentForWrite(address: SecretAddress, azureName: string) {
    const secret = await orMissing(call("set", address.name, (s) => s.getSecret(azureName)));
    if (secret === undefined) return undefined;
    const parsed = parseCofferTags(secret.properties.tags);
    if (tagsDisagree(parsed, address)) {
      throw new CofferError(
        "CONFLICT",
        `Azure secret ${quoteName(azureName)} already holds a different Coffer secret (${quoteName(parsed.name ?? "")} in ${scopeKey(parsed.scope ?? GLOBAL_SCOPE)}); refusing to overwrite it`,
        { name: address.name, provider: providerName },
      );
    }
    const { version, createdAt } = await numberAndCreation("set", address.name, azureName, secret.properties);
    return { version, createdAt, properties: secret.properties };
  }

  /** Mark (or unmark) the version being superseded with the end of its rotation grace. */
  async function setGrace(
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
    await call("set", address.name, (s) => s.updateSecretProperties(azureName, version, { tags }));
  }

  function checkWrite(address: SecretAddress, write: SecretWrite, setOptions: ProviderSetOptions) {
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
        { field: "value", name: address.name, provider: providerName, limit: AZURE_MAX_VALUE_BYTES },
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

  async function set(
    address: SecretAddress,
    write: SecretWrite,
    setOptions: ProviderSetOptions = {},
  ): Promise<SecretMetadata> {
    const { azureName } = addressOf(address);
    const { encoding, expiresOn, attributes } = checkWrite(address, write, setOptions ?? {});
    return writeLock.run(azureName, async () => {
      const current = await currentForWrite(address, azureName);
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
      if (current !== undefined) await setGrace(address, azureName, current.properties, write.previousValidForSeconds);
      cache.invalidate(azureName);
      let written: KeyVaultSecret;
      try {
        written = await call(
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
            `secret ${quoteName(address.name)} is deleted but recoverable in ${vaultUrl}; restore it or purge it before writing`,
            { name: address.name, provider: providerName, hint: "coffer restore (or delete --purge) first" },
            { cause: err },
          );
        }
        throw err;
      } finally {
        cache.invalidate(azureName);
      }
      const createdAt = current?.createdAt ?? iso(written.properties.createdOn) ?? new Date().toISOString();
      return metadataOf(address, written.properties, version, createdAt, parseCofferTags(written.properties.tags));
    });
  }

  async function get(address: SecretAddress, getOptions: ProviderGetOptions = {}): Promise<StoredSecret> {
    const { azureName } = addressOf(address);
    const version = getOptions?.version;
    if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
      throw new CofferError("INVALID_ARGUMENT", "version must be an integer >= 1", {
        field: "version",
        name: address.name,
      });
    }
    const read = await cache.read(
      azureName,
      version === undefined ? "current" : `v${version}`,
      () => (version === undefined ? loadCurrent(address, azureName) : loadVersion(address, azureName, version)),
      { fresh: getOptions?.noCache === true },
    );
    const copy = structuredClone(read.value);
    if (read.fromCache) copy.cachedAgeMs = read.ageMs;
    return copy;
  }

  /** Live Azure secrets holding states of `ref`. */
  async function liveStates(ref: SecretRef, operation: AzureOperation): Promise<AzureState[]> {
    const all = await call(operation, ref.name, (s) => collect(s.listPropertiesOfSecrets()));
    const states: AzureState[] = [];
    for (const properties of all) {
      const identity = identityOf(properties.name, properties.tags);
      if (identity !== undefined && identity.name === ref.name && scopeKey(identity.scope) === scopeKey(ref.scope)) {
        states.push({ azureName: properties.name, identity, properties });
      }
    }
    return states;
  }

  /** Soft-deleted Azure secrets holding states of `ref`. */
  async function deletedStates(ref: SecretRef, operation: AzureOperation): Promise<AzureState[]> {
    const all = await call(operation, ref.name, (s) => collect(s.listDeletedSecrets()));
    const states: AzureState[] = [];
    for (const deleted of all) {
      const identity = identityOf(deleted.name, deleted.properties.tags);
      if (identity !== undefined && identity.name === ref.name && scopeKey(identity.scope) === scopeKey(ref.scope)) {
        states.push({ azureName: deleted.name, identity, properties: deleted.properties, deleted });
      }
    }
    return states;
  }

  function checkRef(ref: SecretRef): void {
    if (ref === null || typeof ref !== "object") {
      throw new CofferError("INVALID_ARGUMENT", "a secret reference is required", { field: "name" });
    }
    addressOf({ name: ref.name, scope: ref.scope });
  }

  /** Refuse (before changing anything) when the vault's recovery level forbids purging. */
  function ensurePurgeable(ref: SecretRef, states: readonly AzureState[]): void {
    for (const state of states) {
      const level = state.properties.recoveryLevel;
      if (level !== undefined && !level.includes("Purgeable")) {
        throw new CofferError(
          "PERMISSION_DENIED",
          `${vaultUrl} does not allow purging secret ${quoteName(ref.name)}: its recovery level is "${level}" (purge protection); Azure purges it by itself when the retention period ends`,
          { name: ref.name, provider: providerName, rule: "purge-protection", recoveryLevel: level },
        );
      }
    }
  }

  async function purgeDeleted(ref: SecretRef, azureName: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await call("purge", ref.name, (s) => s.purgeDeletedSecret(azureName));
        return;
      } catch (err) {
        // Right after a delete the vault may still be finishing it.
        if (isCofferError(err, "CONFLICT") && attempt < 10) {
          await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
          continue;
        }
        if (isCofferError(err, "PERMISSION_DENIED")) {
          throw new CofferError(
            "PERMISSION_DENIED",
            `${vaultUrl} refused to purge secret ${quoteName(ref.name)}: purge protection is on, or the identity lacks the purge permission (${err.message})`,
            { ...err.details, rule: "purge" },
            { cause: err },
          );
        }
        throw err;
      }
    }
  }

  async function deleteLive(ref: SecretRef, state: AzureState, operation: AzureOperation): Promise<DeletedSecret> {
    const deleted = await call(operation, ref.name, async (s) => {
      const poller = await s.beginDeleteSecret(state.azureName, {
        intervalInMs: pollIntervalMs,
        abortSignal: AbortSignal.timeout(LONG_RUNNING_TIMEOUT_MS),
      });
      return poller.pollUntilDone();
    });
    cache.invalidate(state.azureName);
    return deleted;
  }

  async function countVersions(ref: SecretRef, state: AzureState, operation: AzureOperation): Promise<number> {
    if (state.deleted !== undefined) return parseCofferTags(state.properties.tags).version ?? 1;
    return Math.max(1, (await listVersions(operation, ref.name, state.azureName)).length);
  }

  async function remove(ref: SecretRef, deleteOptions: ProviderDeleteOptions = {}) {
    checkRef(ref);
    const states = await liveStates(ref, "delete");
    if (states.length === 0) throw notFound({ name: ref.name, scope: ref.scope });
    const purge = deleteOptions?.purge === true;
    if (purge) ensurePurgeable(ref, states);
    return writeLock.runAll(
      states.map((state) => state.azureName),
      async () => {
        const counts = await mapConcurrently(states, concurrency, (state) => countVersions(ref, state, "delete"));
        let purgeAt: string | undefined;
        for (const state of states) {
          const deleted = await deleteLive(ref, state, "delete");
          if (purge) {
            await purgeDeleted(ref, state.azureName);
          } else {
            const when = iso(deleted.scheduledPurgeDate ?? deleted.properties.scheduledPurgeDate);
            if (when !== undefined && (purgeAt === undefined || when < purgeAt)) purgeAt = when;
          }
          cache.invalidate(state.azureName);
        }
        const versionsDeleted = counts.reduce((sum, n) => sum + n, 0);
        return purgeAt === undefined ? { versionsDeleted, purged: purge } : { versionsDeleted, purged: purge, purgeAt };
      },
    );
  }

  async function restore(ref: SecretRef) {
    checkRef(ref);
    const states = await deletedStates(ref, "restore");
    if (states.length === 0) {
      throw new CofferError("NOT_FOUND", `no deleted secret ${quoteName(ref.name)} to restore in ${vaultUrl}`, {
        name: ref.name,
        provider: providerName,
      });
    }
    return writeLock.runAll(
      states.map((state) => state.azureName),
      async () => {
        let versionsRestored = 0;
        for (const state of states) {
          await call("restore", ref.name, async (s) => {
            const poller = await s.beginRecoverDeletedSecret(state.azureName, {
              intervalInMs: pollIntervalMs,
              abortSignal: AbortSignal.timeout(LONG_RUNNING_TIMEOUT_MS),
            });
            return poller.pollUntilDone();
          });
          cache.invalidate(state.azureName);
          versionsRestored += Math.max(1, (await listVersions("restore", ref.name, state.azureName)).length);
        }
        return { versionsRestored };
      },
    );
  }

  async function purge(ref: SecretRef) {
    checkRef(ref);
    const [live, deleted] = await Promise.all([liveStates(ref, "purge"), deletedStates(ref, "purge")]);
    const states = [...live, ...deleted];
    if (states.length === 0) throw notFound({ name: ref.name, scope: ref.scope });
    ensurePurgeable(ref, states);
    return writeLock.runAll(
      states.map((state) => state.azureName),
      async () => {
        const counts = await mapConcurrently(states, concurrency, (state) => countVersions(ref, state, "purge"));
        for (const state of live) await deleteLive(ref, state, "purge");
        for (const state of states) {
          await purgeDeleted(ref, state.azureName);
          cache.invalidate(state.azureName);
        }
        return { versionsDeleted: counts.reduce((sum, n) => sum + n, 0) };
      },
    );
  }

  function decodeCursor(cursor: string): string[] {
    try {
      const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
      if (Array.isArray(key) && key.length === 3 && key.every((part) => typeof part === "string"))
        return key as string[];
    } catch {
      // reported below
    }
    throw new CofferError("INVALID_ARGUMENT", "the list cursor is not one this provider returned", { field: "cursor" });
  }

  async function list(query: ProviderListQuery = {}): Promise<Page<SecretMetadata>> {
    const q = query ?? {};
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new CofferError("INVALID_ARGUMENT", `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, {
        field: "limit",
      });
    }
    if (q.scope !== undefined && !(SCOPE_KINDS as readonly string[]).includes(q.scope?.kind)) {
      throw new CofferError("INVALID_ARGUMENT", "the list scope is not a known scope", { field: "scope" });
    }
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const wanted = (identity: SecretIdentity) =>
      (q.scope === undefined || scopeKey(identity.scope) === scopeKey(q.scope)) &&
      (q.prefix === undefined || identity.name.startsWith(q.prefix));

    const [live, deleted] = await Promise.all([
      call("list", undefined, (s) => collect(s.listPropertiesOfSecrets())),
      q.includeDeleted === true ? call("list", undefined, (s) => collect(s.listDeletedSecrets())) : Promise.resolve([]),
    ]);
    const states: AzureState[] = [];
    for (const properties of live) {
      const identity = identityOf(properties.name, properties.tags);
      if (identity !== undefined && wanted(identity)) states.push({ azureName: properties.name, identity, properties });
    }
    for (const item of deleted) {
      const identity = identityOf(item.name, item.properties.tags);
      if (identity !== undefined && wanted(identity)) {
        states.push({ azureName: item.name, identity, properties: item.properties, deleted: item });
      }
    }
    states.sort((a, b) => compareKeys(sortKey(a.identity), sortKey(b.identity)));
    const remaining =
      after === undefined ? states : states.filter((state) => compareKeys(sortKey(state.identity), after) > 0);
    const page = remaining.slice(0, limit);
    const items = await mapConcurrently(page, concurrency, async (state) => {
      const parsed = parseCofferTags(state.properties.tags);
      const numbered =
        state.deleted !== undefined
          ? {
              version: parsed.version ?? 1,
              createdAt: parsed.createdAt ?? iso(state.properties.createdOn) ?? new Date().toISOString(),
            }
          : await numberAndCreation("list", state.identity.name, state.azureName, state.properties);
      const metadata = metadataOf(state.identity, state.properties, numbered.version, numbered.createdAt, parsed);
      if (state.deleted !== undefined) {
        const deletedAt = iso(state.deleted.deletedOn ?? state.deleted.properties.deletedOn);
        const purgeAt = iso(state.deleted.scheduledPurgeDate ?? state.deleted.properties.scheduledPurgeDate);
        metadata.deletedAt = deletedAt ?? new Date().toISOString();
        if (purgeAt !== undefined) metadata.purgeAt = purgeAt;
      }
      return metadata;
    });
    const last = page.at(-1);
    return remaining.length > limit && last !== undefined
      ? { items, nextCursor: Buffer.from(JSON.stringify(sortKey(last.identity)), "utf8").toString("base64url") }
      : { items };
  }

  async function history(address: SecretAddress): Promise<SecretVersionInfo[]> {
    const { azureName } = addressOf(address);
    const { numbered } = await versionsOf("history", address, azureName);
    if (numbered.length === 0) throw notFound(address);
    return numbered
      .map((entry, i): SecretVersionInfo => {
        const parsed = parseCofferTags(entry.properties.tags);
        const info: SecretVersionInfo = {
          version: entry.number,
          createdAt: iso(entry.properties.createdOn) ?? new Date(0).toISOString(),
          current: i === numbered.length - 1,
        };
        if (entry.properties.version !== undefined) info.versionId = entry.properties.version;
        if (i < numbered.length - 1 && parsed.validUntil !== undefined) info.validUntil = parsed.validUntil;
        const reason = parsed.reason ?? (hasCofferIdentity(parsed) ? "write" : undefined);
        if (reason !== undefined) info.reason = reason;
        return info;
      })
      .reverse();
  }

  async function getMany(addresses: SecretAddress[]): Promise<GetManyResult[]> {
    return mapConcurrently(addresses, concurrency, async (address): Promise<GetManyResult> => {
      try {
        return { ok: true, secret: await get(address) };
      } catch (err) {
        return { ok: false, error: toCofferError(err) };
      }
    });
  }

  async function health() {
    const started = Date.now();
    try {
      await call("health", undefined, async (s) => {
        await s.listPropertiesOfSecrets().byPage({ maxPageSize: 1 }).next();
      });
      return { ok: true, message: `${vaultUrl} answered`, latencyMs: Date.now() - started };
    } catch (err) {
      const error = toCofferError(err);
      return { ok: false, message: `${error.code}: ${error.message}`, latencyMs: Date.now() - started };
    }
  }

  const capabilities: ProviderCapabilities = {
    write: true,
    delete: true,
    softDelete: true,
    purge: true,
    list: true,
    versions: true,
    // Azure Key Vault has no conditional write: ifVersion and mode "create" are checked just
    // before writing (serialized within this provider instance), not atomically across processes.
    conditionalWrite: false,
    binary: true,
    metadata: true,
    envs: true,
    scopes: [...SCOPE_KINDS],
    remote: true,
  };

  return {
    name: providerName,
    kind: AZURE_KEY_VAULT_KIND,
    capabilities,
    get,
    set,
    delete: remove,
    restore,
    purge,
    list,
    history,
    getMany,
    health,
    async dispose() {
      cache.clear();
    },
  };
}
