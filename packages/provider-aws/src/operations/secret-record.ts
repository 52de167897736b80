import type { DescribeSecretCommandOutput, SecretListEntry, Tag } from "@aws-sdk/client-secrets-manager";
import {
  parseScopeKey,
  type ScopeRef,
  type SecretAddress,
  type SecretMetadata,
  type ValueEncoding,
} from "@coffer/core";
import { readAttributes, readTagText, TAG_KEYS } from "../metadata/secret-tags.js";
import { scopeOfParsedName } from "../naming/aws-secret-name.js";
import { type AwsNaming, parseLayoutName, stateAwsName } from "../naming/secret-layout.js";
import { CURRENT_STAGE, versionNumberOf } from "../naming/version-token.js";

/** What DescribeSecret (or one ListSecrets entry) says about one AWS secret. */
export interface SecretRecord {
  /** AWS secret name. */
  awsName: string;
  /** Native description. */
  description?: string;
  /** Tags by key. */
  tags: Map<string, string>;
  /** Staging labels of each labelled version, by VersionId. */
  stages: Map<string, string[]>;
  /** When AWS created the secret. */
  createdDate?: Date;
  /** Last change of value or metadata. */
  lastChangedDate?: Date;
  /** When a deleted secret will be purged (AWS calls it DeletedDate); absent when not deleted. */
  deletedDate?: Date;
}

function tagMap(tags: Tag[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const tag of tags ?? []) if (tag.Key !== undefined) out.set(tag.Key, tag.Value ?? "");
  return out;
}

/** Normalise a DescribeSecret output. */
export function recordFromDescribe(out: DescribeSecretCommandOutput): SecretRecord {
  return record(out.Name ?? "", out.Description, out.Tags, out.VersionIdsToStages, out);
}

/** Normalise a ListSecrets entry. */
export function recordFromListEntry(entry: SecretListEntry): SecretRecord {
  return record(entry.Name ?? "", entry.Description, entry.Tags, entry.SecretVersionsToStages, entry);
}

function record(
  awsName: string,
  description: string | undefined,
  tags: Tag[] | undefined,
  stages: Record<string, string[]> | undefined,
  dates: { CreatedDate?: Date; LastChangedDate?: Date; DeletedDate?: Date },
): SecretRecord {
  const out: SecretRecord = {
    awsName,
    tags: tagMap(tags),
    stages: new Map(Object.entries(stages ?? {}).map(([id, labels]) => [id, [...labels]])),
  };
  if (description !== undefined) out.description = description;
  if (dates.CreatedDate) out.createdDate = dates.CreatedDate;
  if (dates.LastChangedDate) out.lastChangedDate = dates.LastChangedDate;
  if (dates.DeletedDate) out.deletedDate = dates.DeletedDate;
  return out;
}

/** VersionId of the current version, if the secret has one. */
export function currentVersionId(rec: SecretRecord): string | undefined {
  for (const [id, labels] of rec.stages) if (labels.includes(CURRENT_STAGE)) return id;
  return undefined;
}

/** Highest Coffer version number known from labels, VersionIds and the `coffer:version` tag. */
export function highestKnownVersion(rec: SecretRecord, except?: string): number {
  let highest = Number(rec.tags.get(TAG_KEYS.version) ?? 0);
  if (!Number.isInteger(highest) || highest < 0) highest = 0;
  for (const [id, labels] of rec.stages) {
    if (id === except) continue;
    const n = versionNumberOf(rec.awsName, id, labels);
    if (n !== undefined && n > highest) highest = n;
  }
  return highest;
}

/**
 * Coffer number of a version of this secret: its `coffer-v<N>` label or Coffer VersionId; a
 * current version written outside Coffer counts as one more than the highest known number.
 * Undefined for non-current versions written outside Coffer.
 */
export function versionNumber(rec: SecretRecord, versionId: string, stages?: readonly string[]): number | undefined {
  const labels = stages ?? rec.stages.get(versionId) ?? [];
  const n = versionNumberOf(rec.awsName, versionId, labels);
  if (n !== undefined) return n;
  const isCurrent = labels.includes(CURRENT_STAGE) || currentVersionId(rec) === versionId;
  return isCurrent ? highestKnownVersion(rec, versionId) + 1 : undefined;
}

/** Number of the current version; 0 when the secret has no value yet. */
export function currentVersionNumber(rec: SecretRecord): number {
  const id = currentVersionId(rec);
  return id === undefined ? 0 : (versionNumber(rec, id) ?? 0);
}

/**
 * The Coffer address a record holds: from its `coffer:*` tags (scoped layout), else from its
 * name under the prefix (a hashed scope id is resolved only through `hint`). Undefined when
 * unknown, and when the address would not map back to this very AWS name (a secret of another
 * prefix or layout listed because it shares the prefix): every listed state is one `get` finds.
 */
export function addressOfRecord(rec: SecretRecord, naming: AwsNaming, hint?: ScopeRef): SecretAddress | undefined {
  const parsed = parseLayoutName(naming, rec.awsName);
  if (!parsed) return undefined;
  let address: SecretAddress | undefined;
  const taggedName = readTagText(rec.tags, TAG_KEYS.name);
  const taggedScope = readTagText(rec.tags, TAG_KEYS.scope);
  if (naming.layout === "scoped" && taggedName !== undefined && taggedScope !== undefined) {
    address = { name: taggedName, scope: parseScopeKey(taggedScope) };
    const env = readTagText(rec.tags, TAG_KEYS.env);
    if (env !== undefined) address.env = env;
  } else {
    const scope = scopeOfParsedName(parsed, hint);
    if (!scope) return undefined;
    address = { name: parsed.name, scope };
    if (parsed.env !== undefined) address.env = parsed.env;
  }
  try {
    return stateAwsName(naming, address) === rec.awsName ? address : undefined;
  } catch {
    return undefined;
  }
}

/** What differs per version when building metadata. */
export interface VersionFacts {
  /** Coffer version number. */
  version: number;
  /** AWS VersionId. */
  versionId?: string;
  /** When the version was written. */
  updatedAt?: Date;
  /** Value encoding, when known from the value itself. */
  encoding?: ValueEncoding;
}

/** Metadata of one version of a state, from the record's tags and the version's facts. */
export function metadataOfRecord(
  rec: SecretRecord,
  address: SecretAddress,
  provider: string,
  facts: VersionFacts,
): SecretMetadata {
  const createdAt = readTagText(rec.tags, TAG_KEYS.createdAt) ?? (rec.createdDate ?? new Date(0)).toISOString();
  const meta: SecretMetadata = {
    name: address.name,
    scope: address.scope,
    version: facts.version,
    encoding: facts.encoding ?? (rec.tags.get(TAG_KEYS.encoding) === "base64" ? "base64" : "utf-8"),
    createdAt,
    // Clocks differ (and moto keeps whole seconds): a version is never reported older than its secret.
    updatedAt: new Date(
      Math.max(
        Date.parse(createdAt) || 0,
        (facts.updatedAt ?? rec.lastChangedDate ?? rec.createdDate ?? new Date(0)).getTime(),
      ),
    ).toISOString(),
    provider,
    ...readAttributes(rec.tags, rec.description),
  };
  if (address.env !== undefined) meta.env = address.env;
  if (facts.versionId !== undefined) meta.versionId = facts.versionId;
  if (rec.deletedDate) {
    meta.purgeAt = rec.deletedDate.toISOString();
    meta.deletedAt = readTagText(rec.tags, TAG_KEYS.deletedAt) ?? meta.updatedAt;
  }
  return meta;
}
