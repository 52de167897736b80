import { CofferError, type DeleteOutcome, type ProviderDeleteOptions, quoteName, type SecretRef } from "@coffer/core";
import { TAG_KEYS } from "../metadata/secret-tags.js";
import { isStateOf } from "../naming/aws-secret-name.js";
import { baseAwsName, layoutHolds } from "../naming/secret-layout.js";
import { type AwsProviderContext, hasCode } from "./provider-context.js";
import { describeSecret } from "./read-secret.js";
import { recordFromListEntry, type SecretRecord } from "./secret-record.js";

/**
 * Every AWS secret holding a state of `ref` (default state and env states), deleted ones included.
 * The default state is read with DescribeSecret (strongly consistent); env states come from
 * ListSecrets (eventually consistent on AWS).
 */
export async function findStates(ctx: AwsProviderContext, ref: SecretRef): Promise<SecretRecord[]> {
  // The flat layout holds no other scope (nothing to find) and no env state (nothing to list).
  if (!layoutHolds(ctx.options, ref)) return [];
  const base = baseAwsName(ctx.options, ref);
  const found = new Map<string, SecretRecord>();
  const listing = (async () => {
    if (ctx.options.layout === "flat") return;
    let token: string | undefined;
    do {
      const page = await ctx.api.call(
        "ListSecrets",
        {
          Filters: [{ Key: "name", Values: [base] }],
          IncludePlannedDeletion: true,
          MaxResults: 100,
          ...(token ? { NextToken: token } : {}),
        },
        { name: ref.name },
      );
      for (const entry of page.SecretList ?? []) {
        if (entry.Name !== undefined && isStateOf(entry.Name, base)) found.set(entry.Name, recordFromListEntry(entry));
      }
      token = page.NextToken || undefined;
    } while (token);
  })();
  const [direct] = await Promise.all([describeSecret(ctx, base, ref.name), listing]);
  if (direct) found.set(base, direct);
  return [...found.values()].sort((a, b) => (a.awsName < b.awsName ? -1 : a.awsName > b.awsName ? 1 : 0));
}

/** Number of versions AWS keeps for one secret (deprecated ones included). */
export async function countVersions(ctx: AwsProviderContext, rec: SecretRecord, name: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await ctx.api.call(
      "ListSecretVersionIds",
      { SecretId: rec.awsName, IncludeDeprecated: true, MaxResults: 100, ...(token ? { NextToken: token } : {}) },
      { name },
    );
    count += page.Versions?.length ?? 0;
    token = page.NextToken || undefined;
  } while (token);
  return count;
}

function missing(ctx: AwsProviderContext, ref: SecretRef, what: string): CofferError {
  return new CofferError("NOT_FOUND", `secret ${quoteName(ref.name)} ${what} in ${ctx.options.name}`, {
    name: ref.name,
    provider: ctx.options.name,
  });
}

function invalidateAll(ctx: AwsProviderContext, states: SecretRecord[]): void {
  for (const rec of states) ctx.cache.invalidate(rec.awsName);
}

/**
 * Irrecoverably delete every state of a secret, deleted or not (ForceDeleteWithoutRecovery).
 * @throws CofferError NOT_FOUND when no state exists.
 */
export async function purgeSecret(ctx: AwsProviderContext, ref: SecretRef): Promise<{ versionsDeleted: number }> {
  const states = await findStates(ctx, ref);
  if (states.length === 0) throw missing(ctx, ref, "not found");
  try {
    const counts = await Promise.all(
      states.map(async (rec) => {
        const versions = await countVersions(ctx, rec, ref.name).catch(() => 0);
        try {
          await ctx.api.call(
            "DeleteSecret",
            { SecretId: rec.awsName, ForceDeleteWithoutRecovery: true },
            { name: ref.name },
          );
        } catch (err) {
          if (!hasCode(err, "CONFLICT") || !rec.deletedDate) throw err;
          // Some AWS versions refuse to force-delete a secret already scheduled for deletion.
          await ctx.api.call("RestoreSecret", { SecretId: rec.awsName }, { name: ref.name });
          await ctx.api.call(
            "DeleteSecret",
            { SecretId: rec.awsName, ForceDeleteWithoutRecovery: true },
            { name: ref.name },
          );
        }
        return versions;
      }),
    );
    return { versionsDeleted: counts.reduce((a, b) => a + b, 0) };
  } finally {
    invalidateAll(ctx, states);
  }
}

/**
 * Delete every state of a secret: recoverable for the recovery window, or at once with `purge`.
 * @throws CofferError NOT_FOUND when no live state exists; INVALID_ARGUMENT for a window outside 7-30 days.
 */
export async function deleteSecret(
  ctx: AwsProviderContext,
  ref: SecretRef,
  options: ProviderDeleteOptions = {},
): Promise<DeleteOutcome> {
  if (layoutHolds(ctx.options, ref)) baseAwsName(ctx.options, ref);
  if (options.purge) {
    const { versionsDeleted } = await purgeSecret(ctx, ref);
    return { versionsDeleted, purged: true };
  }
  const days = options.recoveryWindowDays ?? ctx.options.recoveryWindowDays;
  if (!Number.isInteger(days) || days < 7 || days > 30) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      "AWS Secrets Manager keeps deleted secrets 7 to 30 days: recoveryWindowDays must be in that range",
      {
        field: "recoveryWindowDays",
      },
    );
  }
  const states = await findStates(ctx, ref);
  const live = states.filter((rec) => !rec.deletedDate);
  if (live.length === 0) {
    throw missing(ctx, ref, states.length > 0 ? "is already deleted" : "not found");
  }
  try {
    const deletedAt = new Date().toISOString();
    const outcomes = await Promise.all(
      live.map(async (rec) => {
        const versions = await countVersions(ctx, rec, ref.name);
        await ctx.api.call(
          "TagResource",
          { SecretId: rec.awsName, Tags: [{ Key: TAG_KEYS.deletedAt, Value: deletedAt }] },
          { name: ref.name },
        );
        const out = await ctx.api.call(
          "DeleteSecret",
          { SecretId: rec.awsName, RecoveryWindowInDays: days },
          { name: ref.name },
        );
        return { versions, purgeAt: out.DeletionDate };
      }),
    );
    const dates = outcomes.map((o) => o.purgeAt?.getTime()).filter((t): t is number => t !== undefined);
    const outcome: DeleteOutcome = { versionsDeleted: outcomes.reduce((a, o) => a + o.versions, 0), purged: false };
    if (dates.length > 0) outcome.purgeAt = new Date(Math.min(...dates)).toISOString();
    return outcome;
  } finally {
    invalidateAll(ctx, states);
  }
}

/**
 * Cancel the deletion of every deleted state of a secret.
 * @throws CofferError NOT_FOUND when no state is deleted.
 */
export async function restoreSecret(ctx: AwsProviderContext, ref: SecretRef): Promise<{ versionsRestored: number }> {
  const states = await findStates(ctx, ref);
  const deleted = states.filter((rec) => rec.deletedDate);
  if (deleted.length === 0) throw missing(ctx, ref, states.length > 0 ? "is not deleted" : "not found");
  try {
    const counts = await Promise.all(
      deleted.map(async (rec) => {
        await ctx.api.call("RestoreSecret", { SecretId: rec.awsName }, { name: ref.name });
        if (rec.tags.has(TAG_KEYS.deletedAt)) {
          await ctx.api
            .call("UntagResource", { SecretId: rec.awsName, TagKeys: [TAG_KEYS.deletedAt] }, { name: ref.name })
            .catch(() => undefined);
        }
        return countVersions(ctx, rec, ref.name).catch(() => 0);
      }),
    );
    return { versionsRestored: counts.reduce((a, b) => a + b, 0) };
  } finally {
    invalidateAll(ctx, deleted);
  }
}
