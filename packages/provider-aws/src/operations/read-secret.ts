import type { GetSecretValueCommandOutput } from "@aws-sdk/client-secrets-manager";
import {
  CofferError,
  type GetManyResult,
  type ProviderGetOptions,
  type SecretAddress,
  type StoredSecret,
  type ValueEncoding,
} from "@coffer/core";
import { readValidUntil, TAG_KEYS } from "../metadata/secret-tags.js";
import { layoutHolds, scopeAwsPrefix, stateAwsName } from "../naming/secret-layout.js";
import { plainCreatedAt, versionNumberOf, versionToken } from "../naming/version-token.js";
import { toCofferErrorFromAws } from "../transport/aws-error.js";
import {
  type AwsProviderContext,
  cacheItem,
  copySecret,
  FLAT_LAYOUT_MISS,
  hasCode,
  notFound,
  stateLabel,
} from "./provider-context.js";
import {
  currentVersionId,
  currentVersionNumber,
  metadataOfRecord,
  recordFromDescribe,
  recordFromListEntry,
  type SecretRecord,
  versionNumber,
} from "./secret-record.js";

/** Most secrets one BatchGetSecretValue call returns. */
export const BATCH_SIZE = 20;
/** Most values one ListSecrets `name` filter takes. */
const FILTER_VALUES_MAX = 10;

/** The value of a GetSecretValue-like answer: SecretString as UTF-8 text, SecretBinary as base64. */
export function secretValueOf(
  out: Pick<GetSecretValueCommandOutput, "SecretString" | "SecretBinary">,
): { value: string; encoding: ValueEncoding } | undefined {
  if (out.SecretBinary !== undefined)
    return { value: Buffer.from(out.SecretBinary).toString("base64"), encoding: "base64" };
  if (out.SecretString !== undefined) return { value: out.SecretString, encoding: "utf-8" };
  return undefined;
}

/** DescribeSecret, or undefined when the secret does not exist. */
export async function describeSecret(
  ctx: AwsProviderContext,
  awsName: string,
  name: string,
): Promise<SecretRecord | undefined> {
  try {
    return recordFromDescribe(await ctx.api.call("DescribeSecret", { SecretId: awsName }, { name }));
  } catch (err) {
    if (hasCode(err, "NOT_FOUND")) return undefined;
    throw err;
  }
}

function deletedError(ctx: AwsProviderContext, address: SecretAddress): CofferError {
  return new CofferError(
    "NOT_FOUND",
    `secret ${stateLabel(address)} is deleted in ${ctx.options.name} (restore it to read it)`,
    { name: address.name, provider: ctx.options.name, deleted: true },
  );
}

function build(
  ctx: AwsProviderContext,
  rec: SecretRecord,
  address: SecretAddress,
  out:
    | GetSecretValueCommandOutput
    | {
        VersionId?: string;
        VersionStages?: string[];
        CreatedDate?: Date;
        SecretString?: string;
        SecretBinary?: Uint8Array;
      },
): StoredSecret {
  const value = secretValueOf(out);
  if (!value || out.VersionId === undefined) throw notFound(ctx, address, " (it has no value)");
  const version = versionNumber(rec, out.VersionId, out.VersionStages ?? []);
  if (version === undefined) throw notFound(ctx, address, " (version written outside Coffer)");
  const facts = {
    version,
    versionId: out.VersionId,
    encoding: value.encoding,
    ...(out.CreatedDate ? { updatedAt: out.CreatedDate } : {}),
  };
  return { ...metadataOfRecord(rec, address, ctx.options.name, facts), value: value.value };
}

async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

async function fetchCurrent(ctx: AwsProviderContext, awsName: string, address: SecretAddress): Promise<StoredSecret> {
  const [described, read] = await Promise.all([
    settle(describeSecret(ctx, awsName, address.name)),
    settle(ctx.api.call("GetSecretValue", { SecretId: awsName }, { name: address.name })),
  ]);
  if (!described.ok) throw described.error;
  const rec = described.value;
  if (!rec) throw notFound(ctx, address);
  if (rec.deletedDate) throw deletedError(ctx, address);
  if (!read.ok) {
    // A delete between the two calls answers InvalidRequestException (CONFLICT): still a miss.
    if (hasCode(read.error, "NOT_FOUND") || hasCode(read.error, "CONFLICT")) throw notFound(ctx, address);
    throw read.error;
  }
  return build(ctx, rec, address, read.value);
}

async function fetchVersion(
  ctx: AwsProviderContext,
  awsName: string,
  address: SecretAddress,
  version: number,
): Promise<StoredSecret> {
  const label = ` version ${version}`;
  const [described, byToken] = await Promise.all([
    settle(describeSecret(ctx, awsName, address.name)),
    settle(
      ctx.api.call(
        "GetSecretValue",
        { SecretId: awsName, VersionId: versionToken(awsName, version) },
        { name: address.name },
      ),
    ),
  ]);
  if (!described.ok) throw described.error;
  const rec = described.value;
  if (!rec) throw notFound(ctx, address);
  if (rec.deletedDate) throw deletedError(ctx, address);
  let out: GetSecretValueCommandOutput | undefined;
  if (byToken.ok) out = byToken.value;
  else if (!hasCode(byToken.error, "NOT_FOUND")) throw byToken.error;
  else {
    // Not a Coffer VersionId: a version written elsewhere that carries the label or is current.
    const id = [...rec.stages.keys()].find((candidate) => versionNumber(rec, candidate) === version);
    if (id === undefined) throw notFound(ctx, address, label);
    try {
      out = await ctx.api.call("GetSecretValue", { SecretId: awsName, VersionId: id }, { name: address.name });
    } catch (err) {
      if (hasCode(err, "NOT_FOUND")) throw notFound(ctx, address, label);
      throw err;
    }
  }
  const until = readValidUntil(rec.tags).get(version);
  if (until !== undefined && until <= Date.now() && currentVersionNumber(rec) !== version) {
    throw new CofferError(
      "EXPIRED",
      `version ${version} of secret ${stateLabel(address)} stopped being readable at ${new Date(until).toISOString()} (rotation grace ended)`,
      { name: address.name, provider: ctx.options.name, version },
    );
  }
  return build(ctx, rec, address, out);
}

/**
 * Read the current or a given version of one state, through the cache.
 * @throws CofferError NOT_FOUND (missing, deleted, unknown version), EXPIRED (grace ended), INVALID_ARGUMENT, ...
 */
export async function getSecret(
  ctx: AwsProviderContext,
  address: SecretAddress,
  options: ProviderGetOptions = {},
): Promise<StoredSecret> {
  if (!layoutHolds(ctx.options, address)) throw notFound(ctx, address, FLAT_LAYOUT_MISS);
  const awsName = stateAwsName(ctx.options, address);
  const version = options.version;
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
    throw new CofferError("INVALID_ARGUMENT", "version must be a positive integer", { field: "version" });
  }
  const read = await ctx.cache.read(
    awsName,
    cacheItem(version),
    () => (version === undefined ? fetchCurrent(ctx, awsName, address) : fetchVersion(ctx, awsName, address, version)),
    { fresh: options.noCache === true },
  );
  return copySecret(read.value, read.fromCache ? read.ageMs : undefined);
}

interface Pending {
  address: SecretAddress;
  awsName: string;
  indices: number[];
  generation: number;
}

function scopeGroups(ctx: AwsProviderContext, pending: Pending[]): { prefix: string; names: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const p of pending) {
    const prefix = scopeAwsPrefix(ctx.options, p.address.scope);
    const list = groups.get(prefix) ?? [];
    list.push(p.awsName);
    groups.set(prefix, list);
  }
  return [...groups].map(([prefix, names]) => ({ prefix, names }));
}

/**
 * Page through ListSecrets with a `name` filter, keeping the wanted records, until all are found
 * or `maxPages` were read. Returns true when the listing was read to its end.
 */
async function collectRecords(
  ctx: AwsProviderContext,
  values: string[],
  wanted: Set<string>,
  found: Map<string, SecretRecord>,
  maxPages: number,
): Promise<boolean> {
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await ctx.api.call("ListSecrets", {
      Filters: [{ Key: "name", Values: values }],
      MaxResults: 100,
      ...(token ? { NextToken: token } : {}),
    });
    pages++;
    for (const entry of page.SecretList ?? []) {
      if (entry.Name !== undefined && wanted.delete(entry.Name)) found.set(entry.Name, recordFromListEntry(entry));
    }
    token = page.NextToken || undefined;
  } while (token && wanted.size > 0 && pages < maxPages);
  return token === undefined;
}

/**
 * Metadata of many secrets with few ListSecrets calls: per scope, the names themselves as
 * filter values (up to 10), or else the scope prefix -- one page covers 100 secrets. When a big
 * scope needs more pages than filtering by name would, the rest is fetched 10 names at a time,
 * so the cost stays within 2 x ceil(names / 10) calls.
 */
async function listRecords(ctx: AwsProviderContext, pending: Pending[]): Promise<Map<string, SecretRecord>> {
  const found = new Map<string, SecretRecord>();
  await Promise.all(
    scopeGroups(ctx, pending).map(async ({ prefix, names }) => {
      const wanted = new Set(names);
      const byNameCalls = Math.ceil(names.length / FILTER_VALUES_MAX);
      if (names.length <= FILTER_VALUES_MAX) {
        await collectRecords(ctx, names, wanted, found, Number.POSITIVE_INFINITY);
        return;
      }
      // An empty prefix (flat layout, no prefix) would list the whole account: by name only.
      if (prefix !== "") {
        const exhausted = await collectRecords(ctx, [prefix], wanted, found, byNameCalls);
        if (exhausted) return; // what is still missing is not listed at all
      }
      const rest = [...wanted];
      for (let i = 0; i < rest.length; i += FILTER_VALUES_MAX) {
        const chunk = rest.slice(i, i + FILTER_VALUES_MAX);
        await collectRecords(ctx, chunk, new Set(chunk), found, Number.POSITIVE_INFINITY);
      }
    }),
  );
  return found;
}

/** A record standing in for a listing when the batch read says the version has no attributes. */
function plainRecord(awsName: string, out: GetSecretValueCommandOutput): SecretRecord | undefined {
  const createdAt = plainCreatedAt(out.VersionStages ?? []);
  if (createdAt === undefined || out.VersionId === undefined) return undefined;
  // Only a version Coffer numbered: another tool's version never carries the label anyway.
  if (versionNumberOf(awsName, out.VersionId, out.VersionStages ?? []) === undefined) return undefined;
  return {
    awsName,
    tags: new Map([[TAG_KEYS.createdAt, createdAt]]),
    stages: new Map([[out.VersionId, [...(out.VersionStages ?? [])]]]),
  };
}

/**
 * Read the current version of many states: BatchGetSecretValue for values (20 per call), plus
 * the cache. A value whose version carries the plain label (no attributes, see
 * {@link plainCreatedAt}) is complete as read; only the others need ListSecrets for their
 * metadata, and a listing entry that is stale (its current version is not the one read) is
 * replaced by DescribeSecret. Results align with `addresses`; a failure of one secret (or of
 * one batch) is reported for those addresses only.
 */
export async function getManySecrets(ctx: AwsProviderContext, addresses: SecretAddress[]): Promise<GetManyResult[]> {
  const results: GetManyResult[] = new Array(addresses.length);
  const pendingByName = new Map<string, Pending>();
  addresses.forEach((address, index) => {
    if (!layoutHolds(ctx.options, address)) {
      results[index] = { ok: false, error: notFound(ctx, address, FLAT_LAYOUT_MISS) };
      return;
    }
    let awsName: string;
    try {
      awsName = stateAwsName(ctx.options, address);
    } catch (err) {
      results[index] = { ok: false, error: err as CofferError };
      return;
    }
    const cached = ctx.cache.lookup(awsName, cacheItem());
    if (cached) {
      results[index] = { ok: true, secret: copySecret(cached.value, cached.ageMs) };
      return;
    }
    const pending = pendingByName.get(awsName);
    if (pending) pending.indices.push(index);
    else pendingByName.set(awsName, { address, awsName, indices: [index], generation: ctx.cache.generation(awsName) });
  });
  const pending = [...pendingByName.values()];
  if (pending.length === 0) return results;

  const settleAll = (p: Pending, outcome: GetManyResult) => {
    for (const i of p.indices) results[i] = outcome.ok ? { ok: true, secret: copySecret(outcome.secret) } : outcome;
  };

  const batches: Pending[][] = [];
  for (let i = 0; i < pending.length; i += BATCH_SIZE) batches.push(pending.slice(i, i + BATCH_SIZE));

  const values = new Map<string, GetSecretValueCommandOutput>();
  await Promise.all(
    batches.map(async (batch) => {
      try {
        const out = await ctx.api.call("BatchGetSecretValue", { SecretIdList: batch.map((p) => p.awsName) });
        for (const v of out.SecretValues ?? [])
          if (v.Name !== undefined) values.set(v.Name, v as GetSecretValueCommandOutput);
        for (const e of out.Errors ?? []) {
          const p = batch.find((x) => x.awsName === e.SecretId);
          if (!p) continue;
          const code = e.ErrorCode ?? "UnknownError";
          const error =
            code === "ResourceNotFoundException" || code === "InvalidRequestException"
              ? notFound(ctx, p.address)
              : toCofferErrorFromAws(
                  { name: code },
                  { provider: ctx.options.name, operation: "BatchGetSecretValue", name: p.address.name },
                );
          settleAll(p, { ok: false, error });
        }
      } catch (err) {
        for (const p of batch) settleAll(p, { ok: false, error: err as CofferError });
      }
    }),
  );

  const complete = new Map<string, SecretRecord>();
  const needListing: Pending[] = [];
  for (const p of pending) {
    if (results[p.indices[0]!] !== undefined) continue;
    const out = values.get(p.awsName);
    const plain = out ? plainRecord(p.awsName, out) : undefined;
    if (plain) complete.set(p.awsName, plain);
    else if (out) needListing.push(p);
  }
  let records = new Map<string, SecretRecord>();
  if (needListing.length > 0) {
    const listed = await settle(listRecords(ctx, needListing));
    if (!listed.ok && !hasCode(listed.error, "PERMISSION_DENIED")) {
      for (const p of needListing) settleAll(p, { ok: false, error: listed.error as CofferError });
    } else if (listed.ok) {
      records = listed.value;
    }
  }

  await Promise.all(
    pending.map(async (p) => {
      if (results[p.indices[0]!] !== undefined) return;
      try {
        const out = values.get(p.awsName);
        let secret: StoredSecret;
        if (!out) {
          secret = await getSecret(ctx, p.address); // answered by neither list of the batch
        } else {
          // Listing is eventually consistent: a secret it missed, or an entry older than the
          // version just read (its tags may be older too), is described instead.
          const listedRec = records.get(p.awsName);
          const fresh = listedRec && currentVersionId(listedRec) === out.VersionId ? listedRec : undefined;
          const rec = complete.get(p.awsName) ?? fresh ?? (await describeSecret(ctx, p.awsName, p.address.name));
          if (!rec) throw notFound(ctx, p.address);
          if (rec.deletedDate) throw deletedError(ctx, p.address);
          secret = build(ctx, rec, p.address, out);
          ctx.cache.storeIfUnchanged(p.awsName, cacheItem(), p.generation, secret);
        }
        settleAll(p, { ok: true, secret });
      } catch (err) {
        settleAll(p, {
          ok: false,
          error:
            err instanceof CofferError
              ? err
              : toCofferErrorFromAws(err, {
                  provider: ctx.options.name,
                  operation: "GetSecretValue",
                  name: p.address.name,
                }),
        });
      }
    }),
  );
  return results;
}
