import {
  CofferError,
  MAX_VALUE_BYTES,
  type ProviderSetOptions,
  type SecretAddress,
  type SecretMetadata,
  type SecretWrite,
  type ValueEncoding,
} from "@coffer/core";
import {
  buildCofferTags,
  COFFER_TAG_PREFIX,
  checkAttributes,
  readAttributes,
  readTagText,
  readValidUntil,
  TAG_KEYS,
} from "../metadata/secret-tags.js";
import { stateAwsName } from "../naming/secret-layout.js";
import {
  CURRENT_STAGE,
  LABELED_VERSIONS_KEPT,
  plainLabel,
  versionLabel,
  versionNumberOf,
  versionOfLabel,
  versionToken,
} from "../naming/version-token.js";
import { type AwsProviderContext, hasCode, stateLabel } from "./provider-context.js";
import { describeSecret } from "./read-secret.js";
import { currentVersionId, currentVersionNumber, type SecretRecord } from "./secret-record.js";

/** Attempts of an unconditional write that keeps losing races for the next version number. */
const WRITE_ATTEMPTS = 5;
/** Rotation-grace entries kept in the `coffer:validUntil` tag. */
const VALID_UNTIL_KEPT = 20;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface PreparedValue {
  encoding: ValueEncoding;
  params: { SecretString: string } | { SecretBinary: Uint8Array };
}

/** Validate the value of a write. @throws CofferError INVALID_ARGUMENT or TOO_LARGE */
function prepareValue(write: SecretWrite): PreparedValue {
  const encoding = write.encoding ?? "utf-8";
  if (encoding !== "utf-8" && encoding !== "base64") {
    throw new CofferError("INVALID_ARGUMENT", 'encoding must be "utf-8" or "base64"', { field: "encoding" });
  }
  if (typeof write.value !== "string") {
    throw new CofferError("INVALID_ARGUMENT", "value must be a string", { field: "value" });
  }
  if (write.value.length === 0) {
    throw new CofferError("INVALID_ARGUMENT", "AWS Secrets Manager cannot hold an empty value", { field: "value" });
  }
  if (encoding === "base64") {
    if (!BASE64.test(write.value)) {
      throw new CofferError("INVALID_ARGUMENT", "value is not valid base64", { field: "value" });
    }
    const bytes = Buffer.from(write.value, "base64");
    if (bytes.length > MAX_VALUE_BYTES) {
      throw new CofferError("TOO_LARGE", `value is ${bytes.length} bytes; at most ${MAX_VALUE_BYTES} are allowed`, {
        field: "value",
      });
    }
    return { encoding, params: { SecretBinary: new Uint8Array(bytes) } };
  }
  const size = Buffer.byteLength(write.value, "utf8");
  if (size > MAX_VALUE_BYTES) {
    throw new CofferError("TOO_LARGE", `value is ${size} bytes; at most ${MAX_VALUE_BYTES} are allowed`, {
      field: "value",
    });
  }
  return { encoding, params: { SecretString: write.value } };
}

function checkOptions(options: ProviderSetOptions, write: SecretWrite): void {
  if (options.mode !== undefined && options.mode !== "create" && options.mode !== "upsert") {
    throw new CofferError("INVALID_ARGUMENT", 'mode must be "create" or "upsert"', { field: "mode" });
  }
  if (options.ifVersion !== undefined && (!Number.isInteger(options.ifVersion) || options.ifVersion < 0)) {
    throw new CofferError("INVALID_ARGUMENT", "ifVersion must be a non-negative integer", { field: "ifVersion" });
  }
  const grace = write.previousValidForSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) {
    throw new CofferError("INVALID_ARGUMENT", "previousValidForSeconds must be a non-negative integer", {
      field: "previousValidForSeconds",
    });
  }
}

function deletedConflict(ctx: AwsProviderContext, address: SecretAddress): CofferError {
  return new CofferError(
    "CONFLICT",
    `secret ${stateLabel(address)} is deleted in ${ctx.options.name}; restore it or purge it before writing`,
    { name: address.name, provider: ctx.options.name, hint: "coffer restore <name> or coffer delete --purge <name>" },
  );
}

function versionConflict(
  ctx: AwsProviderContext,
  address: SecretAddress,
  expected: number,
  current: number,
): CofferError {
  return new CofferError("CONFLICT", `secret ${stateLabel(address)} is at version ${current}, not ${expected}`, {
    name: address.name,
    provider: ctx.options.name,
    currentVersion: current,
  });
}

async function bestEffort(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch {
    // Labels only help people and other tools; numbering never depends on them.
  }
}

/** Labels to drop after writing `next`: `coffer-v<M>` older than the kept window. */
function staleLabels(rec: SecretRecord, next: number): { label: string; versionId: string }[] {
  const out: { label: string; versionId: string }[] = [];
  for (const [versionId, labels] of rec.stages) {
    for (const label of labels) {
      const n = versionOfLabel(label);
      if (n !== undefined && n <= next - LABELED_VERSIONS_KEPT) out.push({ label, versionId });
    }
  }
  return out;
}

/** Bring tags and description of an existing secret in line with the write. */
async function updateMetadata(
  ctx: AwsProviderContext,
  rec: SecretRecord,
  address: SecretAddress,
  tags: Map<string, string>,
  description: string | undefined,
): Promise<void> {
  const name = address.name;
  const work: Promise<unknown>[] = [];
  if ((description ?? "") !== (rec.description ?? "")) {
    work.push(ctx.api.call("UpdateSecret", { SecretId: rec.awsName, Description: description ?? "" }, { name }));
  }
  const changed = [...tags].filter(([key, value]) => rec.tags.get(key) !== value);
  if (changed.length > 0) {
    work.push(
      ctx.api.call(
        "TagResource",
        { SecretId: rec.awsName, Tags: changed.map(([Key, Value]) => ({ Key, Value })) },
        { name },
      ),
    );
  }
  const removed = [...rec.tags.keys()].filter((key) => key.startsWith(COFFER_TAG_PREFIX) && !tags.has(key));
  if (removed.length > 0) {
    work.push(ctx.api.call("UntagResource", { SecretId: rec.awsName, TagKeys: removed }, { name }));
  }
  await Promise.all(work);
}

/**
 * Write a new version of one state (see docs/providers/aws.md, "Writes").
 *
 * Check-then-write: DescribeSecret gives the current number N; `ifVersion` and `mode: "create"`
 * are checked against it; then the value is written with the deterministic token of N+1. A
 * concurrent Coffer writer that read the same N sends the same token and AWS refuses one of them
 * (ResourceExistsException): conditional writers get CONFLICT, unconditional ones retry on top.
 *
 * A state scheduled for deletion counts as absent: it is restored (RestoreSecret) and the value
 * written on top, so its deleted versions stay in its history; if that write fails, the state is
 * deleted again. Other deleted states of the secret stay deleted.
 *
 * @throws CofferError CONFLICT (ifVersion mismatch, lost race), ALREADY_EXISTS (create mode), INVALID_ARGUMENT, TOO_LARGE
 */
export async function setSecret(
  ctx: AwsProviderContext,
  address: SecretAddress,
  write: SecretWrite,
  options: ProviderSetOptions = {},
): Promise<SecretMetadata> {
  const awsName = stateAwsName(ctx.options, address);
  const value = prepareValue(write);
  checkAttributes(write);
  checkOptions(options, write);
  // Dry run: metadata that cannot fit AWS tags is refused before any call.
  buildCofferTags({
    address,
    attributes: write,
    encoding: value.encoding,
    createdAt: new Date().toISOString(),
    version: 1,
    validUntil: new Map(),
  });
  const conditional = options.ifVersion !== undefined || options.mode === "create";
  const name = address.name;
  // Set once this call restored a deleted state to write on top of it (AWS refuses writes to a
  // secret scheduled for deletion): the state counts as absent, and a failed write deletes it again.
  let restored: { deletedDate: Date } | undefined;
  let written = false;

  try {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const rec = await describeSecret(ctx, awsName, name);
      if (rec?.deletedDate) {
        await ctx.api.call("RestoreSecret", { SecretId: awsName }, { name });
        restored ??= { deletedDate: rec.deletedDate };
        if (rec.tags.has(TAG_KEYS.deletedAt)) {
          await bestEffort(
            ctx.api.call("UntagResource", { SecretId: awsName, TagKeys: [TAG_KEYS.deletedAt] }, { name }),
          );
        }
        continue;
      }
      const stored = rec ? currentVersionNumber(rec) : 0;
      const current = restored ? 0 : stored;
      if (options.mode === "create" && current > 0) {
        throw new CofferError("ALREADY_EXISTS", `secret ${stateLabel(address)} already exists in ${ctx.options.name}`, {
          name,
          provider: ctx.options.name,
          currentVersion: current,
        });
      }
      if (options.ifVersion !== undefined && options.ifVersion !== current) {
        throw versionConflict(ctx, address, options.ifVersion, current);
      }
      const next = stored + 1;
      const token = versionToken(awsName, next);
      const now = Date.now();
      const createdAt = restored
        ? new Date(now).toISOString()
        : ((rec && readTagText(rec.tags, TAG_KEYS.createdAt)) ??
          rec?.createdDate?.toISOString() ??
          new Date(now).toISOString());
      const validUntil = rec ? readValidUntil(rec.tags) : new Map<number, number>();
      if (write.previousValidForSeconds !== undefined && current > 0) {
        validUntil.set(current, now + write.previousValidForSeconds * 1000);
      }
      for (const v of [...validUntil.keys()]
        .sort((a, b) => a - b)
        .slice(0, Math.max(0, validUntil.size - VALID_UNTIL_KEPT))) {
        validUntil.delete(v);
      }
      const tags = buildCofferTags({
        address,
        attributes: write,
        encoding: value.encoding,
        createdAt,
        version: next,
        validUntil,
      });
      // A version without attributes says so in a label: batch reads then need no listing.
      const plain =
        Object.keys(readAttributes(tags, write.description)).length === 0 ? plainLabel(createdAt) : undefined;

      if (!rec) {
        try {
          await ctx.api.call(
            "CreateSecret",
            {
              Name: awsName,
              ClientRequestToken: token,
              ...value.params,
              ...(write.description ? { Description: write.description } : {}),
              Tags: [...tags].map(([Key, Value]) => ({ Key, Value })),
            },
            { name },
          );
        } catch (err) {
          if (hasCode(err, "ALREADY_EXISTS")) {
            // Another writer created it between our check and our create.
            if (options.mode === "create") {
              throw new CofferError(
                "ALREADY_EXISTS",
                `secret ${stateLabel(address)} already exists in ${ctx.options.name}`,
                { name, provider: ctx.options.name },
              );
            }
            if (options.ifVersion !== undefined) throw versionConflict(ctx, address, options.ifVersion, 1);
            continue;
          }
          if (hasCode(err, "CONFLICT")) throw deletedConflict(ctx, address);
          throw err;
        }
        await Promise.all(
          [versionLabel(next), ...(plain ? [plain] : [])].map((label) =>
            bestEffort(
              ctx.api.call(
                "UpdateSecretVersionStage",
                { SecretId: awsName, VersionStage: label, MoveToVersionId: token },
                { name },
              ),
            ),
          ),
        );
      } else {
        try {
          await ctx.api.call(
            "PutSecretValue",
            {
              SecretId: awsName,
              ClientRequestToken: token,
              VersionStages: [CURRENT_STAGE, versionLabel(next), ...(plain ? [plain] : [])],
              ...value.params,
            },
            { name },
          );
        } catch (err) {
          if (hasCode(err, "ALREADY_EXISTS")) {
            // Same token, other value: another writer took version `next` first.
            if (conditional) {
              throw new CofferError(
                "CONFLICT",
                `secret ${stateLabel(address)} was changed concurrently (version ${next} was written by another writer)`,
                { name, provider: ctx.options.name, currentVersion: next },
              );
            }
            continue;
          }
          if (hasCode(err, "CONFLICT")) throw deletedConflict(ctx, address);
          throw err;
        }
        try {
          await updateMetadata(ctx, rec, address, tags, write.description);
        } catch (err) {
          const cause = err instanceof CofferError ? err : undefined;
          throw new CofferError(
            cause?.code ?? "UNAVAILABLE",
            `secret ${stateLabel(address)}: the value was written as version ${next} but its metadata (tags, description) could not be updated; write it again${cause ? `: ${cause.message}` : ""}`,
            { name, provider: ctx.options.name, writtenVersion: next },
            { cause: err },
          );
        }
        const previousId = currentVersionId(rec);
        const previousLabels = previousId === undefined ? [] : (rec.stages.get(previousId) ?? []);
        const work: Promise<void>[] = [];
        if (previousId !== undefined && versionNumberOf(awsName, previousId, previousLabels) === undefined) {
          // The version we replaced was written outside Coffer: pin its number with a label.
          work.push(
            bestEffort(
              ctx.api.call(
                "UpdateSecretVersionStage",
                { SecretId: awsName, VersionStage: versionLabel(current), MoveToVersionId: previousId },
                { name },
              ),
            ),
          );
        }
        for (const stale of staleLabels(rec, next)) {
          work.push(
            bestEffort(
              ctx.api.call(
                "UpdateSecretVersionStage",
                { SecretId: awsName, VersionStage: stale.label, RemoveFromVersionId: stale.versionId },
                { name },
              ),
            ),
          );
        }
        await Promise.all(work);
      }

      const meta: SecretMetadata = {
        name,
        scope: address.scope,
        version: next,
        versionId: token,
        encoding: value.encoding,
        createdAt,
        updatedAt: new Date(now).toISOString(),
        provider: ctx.options.name,
        ...readAttributes(tags, write.description),
      };
      if (address.env !== undefined) meta.env = address.env;
      if (restored) meta.replacedDeleted = true;
      written = true;
      return meta;
    }
    throw new CofferError(
      "CONFLICT",
      `secret ${stateLabel(address)} is being written by other writers; ${WRITE_ATTEMPTS} attempts lost the race`,
      { name, provider: ctx.options.name },
    );
  } catch (err) {
    if (restored && !written) {
      // The deleted value must not stay live because the write on top of it failed.
      await bestEffort(
        ctx.api.call(
          "DeleteSecret",
          { SecretId: awsName, RecoveryWindowInDays: ctx.options.recoveryWindowDays },
          { name },
        ),
      );
    }
    throw err;
  } finally {
    ctx.cache.invalidate(awsName);
  }
}
