import type { DeletedSecret } from "@azure/keyvault-secrets";
import {
  CofferError,
  type DeleteOutcome,
  isCofferError,
  type ProviderDeleteOptions,
  quoteName,
  type SecretRef,
  scopeKey,
} from "@coffer/core";
import { parseCofferTags } from "../metadata/secret-tags.js";
import type { AzureOperation } from "../transport/azure-error.js";
import { mapConcurrently } from "../transport/concurrency.js";
import { collect } from "../transport/key-vault-api.js";
import { type AzureProviderContext, type AzureState, checkRef, identityOf, iso, notFound } from "./provider-context.js";
import { listVersions } from "./secret-versions.js";

/** Deadline of one delete or recover poll loop. */
const LONG_RUNNING_TIMEOUT_MS = 5 * 60_000;

/** Live Azure secrets holding states of `ref`. */
async function liveStates(ctx: AzureProviderContext, ref: SecretRef, operation: AzureOperation): Promise<AzureState[]> {
  const all = await ctx.api.call(operation, ref.name, (s) => collect(s.listPropertiesOfSecrets()));
  const states: AzureState[] = [];
  for (const properties of all) {
    const identity = identityOf(ctx, properties.name, properties.tags);
    if (identity !== undefined && identity.name === ref.name && scopeKey(identity.scope) === scopeKey(ref.scope)) {
      states.push({ azureName: properties.name, identity, properties });
    }
  }
  return states;
}

/** Soft-deleted Azure secrets holding states of `ref`. */
async function deletedStates(
  ctx: AzureProviderContext,
  ref: SecretRef,
  operation: AzureOperation,
): Promise<AzureState[]> {
  const all = await ctx.api.call(operation, ref.name, (s) => collect(s.listDeletedSecrets()));
  const states: AzureState[] = [];
  for (const deleted of all) {
    const identity = identityOf(ctx, deleted.name, deleted.properties.tags);
    if (identity !== undefined && identity.name === ref.name && scopeKey(identity.scope) === scopeKey(ref.scope)) {
      states.push({ azureName: deleted.name, identity, properties: deleted.properties, deleted });
    }
  }
  return states;
}

/** Refuse (before changing anything) when the vault's recovery level forbids purging. */
function ensurePurgeable(ctx: AzureProviderContext, ref: SecretRef, states: readonly AzureState[]): void {
  for (const state of states) {
    const level = state.properties.recoveryLevel;
    if (level !== undefined && !level.includes("Purgeable")) {
      throw new CofferError(
        "PERMISSION_DENIED",
        `${ctx.options.vaultUrl} does not allow purging secret ${quoteName(ref.name)}: its recovery level is "${level}" (purge protection); Azure purges it by itself when the retention period ends`,
        { name: ref.name, provider: ctx.options.name, rule: "purge-protection", recoveryLevel: level },
      );
    }
  }
}

async function purgeDeleted(ctx: AzureProviderContext, ref: SecretRef, azureName: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ctx.api.call("purge", ref.name, (s) => s.purgeDeletedSecret(azureName));
      return;
    } catch (err) {
      // Right after a delete the vault may still be finishing it.
      if (isCofferError(err, "CONFLICT") && attempt < 10) {
        await new Promise((resolve) => setTimeout(resolve, ctx.options.pollIntervalMs));
        continue;
      }
      if (isCofferError(err, "PERMISSION_DENIED")) {
        throw new CofferError(
          "PERMISSION_DENIED",
          `${ctx.options.vaultUrl} refused to purge secret ${quoteName(ref.name)}: purge protection is on, or the identity lacks the purge permission (${err.message})`,
          { ...err.details, rule: "purge" },
          { cause: err },
        );
      }
      throw err;
    }
  }
}

async function deleteLive(
  ctx: AzureProviderContext,
  ref: SecretRef,
  state: AzureState,
  operation: AzureOperation,
): Promise<DeletedSecret> {
  const deleted = await ctx.api.call(operation, ref.name, async (s) => {
    const poller = await s.beginDeleteSecret(state.azureName, {
      intervalInMs: ctx.options.pollIntervalMs,
      abortSignal: AbortSignal.timeout(LONG_RUNNING_TIMEOUT_MS),
    });
    return poller.pollUntilDone();
  });
  ctx.cache.invalidate(state.azureName);
  return deleted;
}

async function countVersions(
  ctx: AzureProviderContext,
  ref: SecretRef,
  state: AzureState,
  operation: AzureOperation,
): Promise<number> {
  if (state.deleted !== undefined) return parseCofferTags(state.properties.tags).version ?? 1;
  return Math.max(1, (await listVersions(ctx, operation, ref.name, state.azureName)).length);
}

/**
 * Delete every state (env values included) of a secret: recoverable, or purged at once.
 * @throws CofferError NOT_FOUND; PERMISSION_DENIED when purge protection forbids a purge (nothing deleted)
 */
export async function deleteSecret(
  ctx: AzureProviderContext,
  ref: SecretRef,
  deleteOptions: ProviderDeleteOptions = {},
): Promise<DeleteOutcome> {
  checkRef(ctx, ref);
  const states = await liveStates(ctx, ref, "delete");
  if (states.length === 0) throw notFound(ctx, { name: ref.name, scope: ref.scope });
  const purge = deleteOptions?.purge === true;
  if (purge) ensurePurgeable(ctx, ref, states);
  return ctx.writeLock.runAll(
    states.map((state) => state.azureName),
    async () => {
      const counts = await mapConcurrently(states, ctx.options.maxConcurrency, (state) =>
        countVersions(ctx, ref, state, "delete"),
      );
      let purgeAt: string | undefined;
      for (const state of states) {
        const deleted = await deleteLive(ctx, ref, state, "delete");
        if (purge) {
          await purgeDeleted(ctx, ref, state.azureName);
        } else {
          const when = iso(deleted.scheduledPurgeDate ?? deleted.properties.scheduledPurgeDate);
          if (when !== undefined && (purgeAt === undefined || when < purgeAt)) purgeAt = when;
        }
        ctx.cache.invalidate(state.azureName);
      }
      const versionsDeleted = counts.reduce((sum, n) => sum + n, 0);
      return purgeAt === undefined ? { versionsDeleted, purged: purge } : { versionsDeleted, purged: purge, purgeAt };
    },
  );
}

/**
 * Recover every soft-deleted state of a secret.
 * @throws CofferError NOT_FOUND when nothing is deleted
 */
export async function restoreSecret(ctx: AzureProviderContext, ref: SecretRef): Promise<{ versionsRestored: number }> {
  checkRef(ctx, ref);
  const states = await deletedStates(ctx, ref, "restore");
  if (states.length === 0) {
    throw new CofferError(
      "NOT_FOUND",
      `no deleted secret ${quoteName(ref.name)} to restore in ${ctx.options.vaultUrl}`,
      {
        name: ref.name,
        provider: ctx.options.name,
      },
    );
  }
  return ctx.writeLock.runAll(
    states.map((state) => state.azureName),
    async () => {
      let versionsRestored = 0;
      for (const state of states) {
        await ctx.api.call("restore", ref.name, async (s) => {
          const poller = await s.beginRecoverDeletedSecret(state.azureName, {
            intervalInMs: ctx.options.pollIntervalMs,
            abortSignal: AbortSignal.timeout(LONG_RUNNING_TIMEOUT_MS),
          });
          return poller.pollUntilDone();
        });
        ctx.cache.invalidate(state.azureName);
        versionsRestored += Math.max(1, (await listVersions(ctx, "restore", ref.name, state.azureName)).length);
      }
      return { versionsRestored };
    },
  );
}

/**
 * Delete every live and soft-deleted state of a secret irrecoverably.
 * @throws CofferError NOT_FOUND; PERMISSION_DENIED when purge protection forbids it (nothing deleted)
 */
export async function purgeSecret(ctx: AzureProviderContext, ref: SecretRef): Promise<{ versionsDeleted: number }> {
  checkRef(ctx, ref);
  const [live, deleted] = await Promise.all([liveStates(ctx, ref, "purge"), deletedStates(ctx, ref, "purge")]);
  const states = [...live, ...deleted];
  if (states.length === 0) throw notFound(ctx, { name: ref.name, scope: ref.scope });
  ensurePurgeable(ctx, ref, states);
  return ctx.writeLock.runAll(
    states.map((state) => state.azureName),
    async () => {
      const counts = await mapConcurrently(states, ctx.options.maxConcurrency, (state) =>
        countVersions(ctx, ref, state, "purge"),
      );
      for (const state of live) await deleteLive(ctx, ref, state, "purge");
      for (const state of states) {
        await purgeDeleted(ctx, ref, state.azureName);
        ctx.cache.invalidate(state.azureName);
      }
      return { versionsDeleted: counts.reduce((sum, n) => sum + n, 0) };
    },
  );
}
