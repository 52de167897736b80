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
import { readValidUntil } from "../metadata/secret-tags.js";
import { scopeNamePrefix } from "../naming/aws-secret-name.js";
import { layoutHolds, stateAwsName } from "../naming/secret-layout.js";
import { CURRENT_STAGE } from "../naming/version-token.js";
import { type AwsProviderContext, FLAT_LAYOUT_MISS, notFound } from "./provider-context.js";
import { describeSecret } from "./read-secret.js";
import {
  addressOfRecord,
  currentVersionId,
  currentVersionNumber,
  metadataOfRecord,
  recordFromListEntry,
  versionNumber,
} from "./secret-record.js";

/** Default and largest page size (AWS returns at most 100 secrets per ListSecrets call). */
const PAGE_MAX = 100;

function encodeCursor(token: string): string {
  return Buffer.from(JSON.stringify({ t: token }), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { t?: unknown };
    if (typeof parsed.t === "string" && parsed.t !== "") return parsed.t;
  } catch {
    // fall through
  }
  throw new CofferError("INVALID_ARGUMENT", "cursor is not a cursor returned by this provider's list", {
    field: "cursor",
  });
}

function compareMetadata(a: SecretMetadata, b: SecretMetadata): number {
  const keys = (m: SecretMetadata) => [scopeKey(m.scope), m.name, m.env ?? ""];
  const [ka, kb] = [keys(a), keys(b)];
  for (let i = 0; i < 3; i++) {
    if (ka[i]! < kb[i]!) return -1;
    if (ka[i]! > kb[i]!) return 1;
  }
  return 0;
}

/**
 * List current metadata, one item per state, with ListSecrets filtered by name prefix. Each
 * page is one ListSecrets call (sorted by scope, name, env within the page); the cursor wraps
 * AWS's NextToken. Secrets under the prefix that do not follow the naming scheme are skipped.
 */
export async function listSecrets(
  ctx: AwsProviderContext,
  query: ProviderListQuery = {},
): Promise<Page<SecretMetadata>> {
  const limit = query.limit ?? PAGE_MAX;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new CofferError("INVALID_ARGUMENT", "limit must be a positive integer", { field: "limit" });
  }
  const namePrefix = query.prefix ?? "";
  if (typeof namePrefix !== "string")
    throw new CofferError("INVALID_ARGUMENT", "prefix must be text", { field: "prefix" });
  const base = ctx.options.prefix;
  const flat = ctx.options.layout === "flat";
  // The flat layout holds the global scope only.
  if (flat && query.scope && query.scope.kind !== "global") return { items: [] };
  // AWS matches each filter value as a name prefix. Without a scope, a name prefix narrows the
  // global scope only (other scopes hold an id between the kind and the name).
  const filterValues = flat
    ? `${base}${namePrefix}` === ""
      ? []
      : [`${base}${namePrefix}`]
    : query.scope
      ? [`${scopeNamePrefix(base, query.scope)}${namePrefix}`]
      : namePrefix !== ""
        ? [`${base}global/${namePrefix}`, ...SCOPE_KINDS.filter((k) => k !== "global").map((k) => `${base}${k}/`)]
        : base === ""
          ? []
          : [base];
  const token = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const page = await ctx.api.call("ListSecrets", {
    MaxResults: Math.min(limit, PAGE_MAX),
    IncludePlannedDeletion: query.includeDeleted === true,
    SortBy: "name",
    SortOrder: "asc",
    ...(filterValues.length === 0 ? {} : { Filters: [{ Key: "name", Values: filterValues }] }),
    ...(token ? { NextToken: token } : {}),
  });
  const items: SecretMetadata[] = [];
  for (const entry of page.SecretList ?? []) {
    // AWS matches case-insensitively; Coffer names are case-sensitive.
    if (entry.Name === undefined || (filterValues.length > 0 && !filterValues.some((v) => entry.Name!.startsWith(v))))
      continue;
    const rec = recordFromListEntry(entry);
    if (rec.deletedDate && query.includeDeleted !== true) continue;
    const address = addressOfRecord(rec, ctx.options, query.scope);
    if (!address?.name.startsWith(namePrefix)) continue;
    if (query.scope && scopeKey(address.scope) !== scopeKey(query.scope)) continue;
    const version = currentVersionNumber(rec);
    if (version === 0) continue; // a secret without a value is not a state
    const versionId = currentVersionId(rec);
    items.push(metadataOfRecord(rec, address, ctx.options.name, { version, ...(versionId ? { versionId } : {}) }));
  }
  items.sort(compareMetadata);
  const next = page.NextToken || undefined;
  return next ? { items, nextCursor: encodeCursor(next) } : { items };
}

/**
 * Version history of one state, newest first: every version AWS still keeps that has a Coffer
 * number (see docs/providers/aws.md, "Versions").
 * @throws CofferError NOT_FOUND when the state does not exist or is deleted.
 */
export async function secretHistory(ctx: AwsProviderContext, address: SecretAddress): Promise<SecretVersionInfo[]> {
  if (!layoutHolds(ctx.options, address)) throw notFound(ctx, address, FLAT_LAYOUT_MISS);
  const awsName = stateAwsName(ctx.options, address);
  const rec = await describeSecret(ctx, awsName, address.name);
  if (!rec || rec.deletedDate) throw notFound(ctx, address);
  const validUntil = readValidUntil(rec.tags);
  const byNumber = new Map<number, SecretVersionInfo>();
  let token: string | undefined;
  do {
    const page = await ctx.api.call(
      "ListSecretVersionIds",
      { SecretId: awsName, IncludeDeprecated: true, MaxResults: 100, ...(token ? { NextToken: token } : {}) },
      { name: address.name },
    );
    for (const v of page.Versions ?? []) {
      if (v.VersionId === undefined) continue;
      const stages = v.VersionStages ?? [];
      const version = versionNumber(rec, v.VersionId, stages);
      if (version === undefined || byNumber.has(version)) continue;
      const current = stages.includes(CURRENT_STAGE);
      const info: SecretVersionInfo = {
        version,
        versionId: v.VersionId,
        createdAt: (v.CreatedDate ?? new Date(0)).toISOString(),
        current,
      };
      const until = validUntil.get(version);
      if (!current && until !== undefined) info.validUntil = new Date(until).toISOString();
      byNumber.set(version, info);
    }
    token = page.NextToken || undefined;
  } while (token);
  if (byNumber.size === 0) throw notFound(ctx, address);
  return [...byNumber.values()].sort((a, b) => b.version - a.version);
}
