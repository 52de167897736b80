import {
  CofferError,
  type Page,
  type ProviderListQuery,
  SCOPE_KINDS,
  type SecretAddress,
  type SecretMetadata,
  type SecretVersionInfo,
  scopeKey,
} from "@coffer/core";
import { hasCofferIdentity, parseCofferTags } from "../metadata/secret-tags.js";
import { mapConcurrently } from "../transport/concurrency.js";
import { collect } from "../transport/key-vault-api.js";
import {
  type AzureProviderContext,
  type AzureState,
  azureNameOf,
  FLAT_LAYOUT_MISS,
  holdsState,
  identityOf,
  iso,
  notFound,
  type SecretIdentity,
} from "./provider-context.js";
import { metadataOf, numberAndCreation, versionsOf } from "./secret-versions.js";

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

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

function decodeCursor(cursor: string): string[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(key) && key.length === 3 && key.every((part) => typeof part === "string")) return key as string[];
  } catch {
    // reported below
  }
  throw new CofferError("INVALID_ARGUMENT", "the list cursor is not one this provider returned", { field: "cursor" });
}

/**
 * One page of current metadata (and soft-deleted states when asked), ordered by scope, name and
 * env; the cursor is the sort key of the page's last state.
 * @throws CofferError INVALID_ARGUMENT for a bad limit, scope or cursor; UNAVAILABLE, PERMISSION_DENIED
 */
export async function listSecrets(
  ctx: AzureProviderContext,
  query: ProviderListQuery = {},
): Promise<Page<SecretMetadata>> {
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
    ctx.api.call("list", undefined, (s) => collect(s.listPropertiesOfSecrets())),
    q.includeDeleted === true
      ? ctx.api.call("list", undefined, (s) => collect(s.listDeletedSecrets()))
      : Promise.resolve([]),
  ]);
  const states: AzureState[] = [];
  for (const properties of live) {
    const identity = identityOf(ctx, properties.name, properties.tags);
    if (identity !== undefined && wanted(identity)) states.push({ azureName: properties.name, identity, properties });
  }
  for (const item of deleted) {
    const identity = identityOf(ctx, item.name, item.properties.tags);
    if (identity !== undefined && wanted(identity)) {
      states.push({ azureName: item.name, identity, properties: item.properties, deleted: item });
    }
  }
  states.sort((a, b) => compareKeys(sortKey(a.identity), sortKey(b.identity)));
  const remaining =
    after === undefined ? states : states.filter((state) => compareKeys(sortKey(state.identity), after) > 0);
  const page = remaining.slice(0, limit);
  const items = await mapConcurrently(page, ctx.options.maxConcurrency, async (state) => {
    const parsed = parseCofferTags(state.properties.tags);
    const numbered =
      state.deleted !== undefined
        ? {
            version: parsed.version ?? 1,
            createdAt: parsed.createdAt ?? iso(state.properties.createdOn) ?? new Date().toISOString(),
          }
        : await numberAndCreation(ctx, "list", state.identity.name, state.azureName, state.properties);
    const metadata = metadataOf(ctx, state.identity, state.properties, numbered.version, numbered.createdAt, parsed);
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

/**
 * Version history of one state, newest first.
 * @throws CofferError NOT_FOUND
 */
export async function secretHistory(ctx: AzureProviderContext, address: SecretAddress): Promise<SecretVersionInfo[]> {
  if (!holdsState(ctx, address)) throw notFound(ctx, address, FLAT_LAYOUT_MISS);
  const azureName = azureNameOf(ctx, address);
  const { numbered } = await versionsOf(ctx, "history", address, azureName);
  if (numbered.length === 0) throw notFound(ctx, address);
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
