import { FallbackChain } from "../../chain/fallback-chain.js";
import { CofferError, isCofferError } from "../../errors/index.js";
import { type ScopeRef, scopeKey, scopeLabel } from "../../model/scope.js";
import type { SecretMetadata } from "../../model/secret.js";
import type { DeleteOutcome, Provider, SecretRef } from "../../provider/provider.js";
import type { OperationContext } from "../context.js";
import type { DeleteOptions, DeleteResult, ScopeInput } from "../types.js";
import { commitMutation } from "./commit-change.js";

/** `delete`: remove a secret from every provider holding it in the first scope that has it. */
export async function deleteSecret(
  ctx: OperationContext,
  nameIn: string,
  options: DeleteOptions = {},
): Promise<DeleteResult> {
  let name: string | undefined;
  try {
    name = ctx.name(nameIn);
    const targets = await holders(ctx, name, options, options.purge === true);
    if (targets.length === 0) throw new CofferError("NOT_FOUND", `secret "${name}" not found`, { name });
    for (const t of targets) await ctx.guard.require({ action: "delete", name, secret: t.meta });
    const scope = targets[0]!.meta.scope;
    const hookBase = { name, scope: scopeLabel(scope), tags: targets[0]!.meta.tags };
    await ctx.hooks("before", "delete", hookBase);
    const removedFrom: string[] = [];
    let versionsDeleted = 0;
    let purgeAt: string | undefined;
    for (const { provider, meta } of targets) {
      if (!provider.delete || !provider.capabilities.delete) {
        throw new CofferError("UNSUPPORTED", `provider ${provider.name} cannot delete secrets`, {
          provider: provider.name,
        });
      }
      const ref: SecretRef = { name, scope: meta.scope };
      const audit = ctx.entry({
        action: options.purge ? "purge" : "delete",
        name,
        scope: scopeLabel(meta.scope),
        provider: provider.name,
        success: true,
      });
      // `delete --purge` of a secret already deleted (soft) removes it for good, like `purge`.
      const purgeDeleted = options.purge === true && meta.deletedAt !== undefined && provider.purge !== undefined;
      const outcome = await commitMutation(ctx, provider, ref, audit, (a) =>
        purgeDeleted
          ? provider.purge!(ref, a ? { audit: a } : undefined).then((o): DeleteOutcome => ({ ...o, purged: true }))
          : provider.delete!(ref, {
              purge: options.purge,
              recoveryWindowDays: ctx.state.recoveryWindowDays,
              ...(a ? { audit: a } : {}),
            }),
      );
      removedFrom.push(provider.name);
      versionsDeleted += outcome.versionsDeleted;
      purgeAt = outcome.purgeAt ?? purgeAt;
    }
    const hooks = await ctx.hooks("after", "delete", hookBase);
    return { removedFrom, versionsDeleted, purged: options.purge === true, ...(purgeAt ? { purgeAt } : {}), hooks };
  } catch (err) {
    return ctx.failure(options.purge ? "purge" : "delete", err, { name });
  }
}

/** `restore`: bring back a soft-deleted secret. */
export async function restoreSecret(
  ctx: OperationContext,
  nameIn: string,
  options: ScopeInput & { provider?: string } = {},
): Promise<{ provider: string; versionsRestored: number }> {
  let name: string | undefined;
  try {
    name = ctx.name(nameIn);
    const secretName = name;
    for (const scope of ctx.cascade(options)) {
      for (const provider of mutators(ctx, options.provider)) {
        if (!provider.restore || !provider.capabilities.softDelete || !FallbackChain.holds(provider, scope.kind))
          continue;
        const deleted = await deletedState(provider, secretName, scope);
        if (!deleted) continue;
        await ctx.guard.require({ action: "delete", name: secretName, secret: deleted });
        const audit = ctx.entry({
          action: "restore",
          name: secretName,
          scope: scopeLabel(scope),
          provider: provider.name,
          success: true,
        });
        try {
          const ref = { name: secretName, scope };
          const out = await commitMutation(ctx, provider, ref, audit, (a) =>
            provider.restore!(ref, a ? { audit: a } : undefined),
          );
          return { provider: provider.name, versionsRestored: out.versionsRestored };
        } catch (err) {
          if (!isCofferError(err, "NOT_FOUND")) throw err;
        }
      }
    }
    throw new CofferError("NOT_FOUND", `no deleted secret "${name}" to restore`, { name });
  } catch (err) {
    return ctx.failure("restore", err, { name });
  }
}

/** `purge`: remove a secret (deleted or not) irrecoverably. */
export async function purgeSecret(
  ctx: OperationContext,
  nameIn: string,
  options: ScopeInput & { provider?: string } = {},
): Promise<DeleteResult> {
  let name: string | undefined;
  try {
    name = ctx.name(nameIn);
    const secretName = name;
    const removedFrom: string[] = [];
    let versionsDeleted = 0;
    for (const scope of ctx.cascade(options)) {
      for (const provider of mutators(ctx, options.provider)) {
        if (!provider.purge || !provider.capabilities.purge || !FallbackChain.holds(provider, scope.kind)) continue;
        const meta =
          (await anyState(ctx, provider, secretName, scope)) ?? (await deletedState(provider, secretName, scope));
        if (!meta) continue;
        await ctx.guard.require({ action: "delete", name: secretName, secret: meta });
        const audit = ctx.entry({
          action: "purge",
          name: secretName,
          scope: scopeLabel(scope),
          provider: provider.name,
          success: true,
        });
        try {
          const ref = { name: secretName, scope };
          const out = await commitMutation(ctx, provider, ref, audit, (a) =>
            provider.purge!(ref, a ? { audit: a } : undefined),
          );
          removedFrom.push(provider.name);
          versionsDeleted += out.versionsDeleted;
        } catch (err) {
          if (!isCofferError(err, "NOT_FOUND")) throw err;
        }
      }
      if (removedFrom.length > 0) break;
    }
    if (removedFrom.length === 0) throw new CofferError("NOT_FOUND", `secret "${name}" not found`, { name });
    return { removedFrom, versionsDeleted, purged: true, hooks: [] };
  } catch (err) {
    return ctx.failure("purge", err, { name });
  }
}

/** Providers a delete, restore or purge considers: the named one, or every one in chain order. */
function mutators(ctx: OperationContext, only: string | undefined): Provider[] {
  return only && only !== "all" ? [ctx.state.chain.provider(only)] : ctx.state.chain.entries.map((e) => e.provider);
}

/**
 * Providers holding a secret (any live state; with `includeDeleted`, a soft-deleted one too) in
 * the first scope that has it.
 */
async function holders(
  ctx: OperationContext,
  name: string,
  options: ScopeInput & { provider?: string },
  includeDeleted = false,
): Promise<Array<{ provider: Provider; meta: SecretMetadata }>> {
  const providers = mutators(ctx, options.provider);
  for (const scope of ctx.cascade(options)) {
    const found: Array<{ provider: Provider; meta: SecretMetadata }> = [];
    for (const provider of providers) {
      if (!FallbackChain.holds(provider, scope.kind) || !provider.capabilities.delete) continue;
      const meta =
        (await anyState(ctx, provider, name, scope)) ??
        (includeDeleted ? await deletedState(provider, name, scope) : undefined);
      if (meta) found.push({ provider, meta });
    }
    if (found.length > 0) return found;
  }
  return [];
}

/** Metadata of any live state of a secret at one provider. */
async function anyState(
  ctx: OperationContext,
  provider: Provider,
  name: string,
  scope: ScopeRef,
): Promise<SecretMetadata | undefined> {
  const direct = await ctx.current(provider, { name, scope });
  if (direct) return direct;
  if (!provider.list) return undefined;
  const page = await provider.list({ scope, prefix: name, limit: 1000 });
  return page.items.find((m) => m.name === name && scopeKey(m.scope) === scopeKey(scope));
}

/** Metadata of a soft-deleted secret at one provider (for policy on restore/purge). */
async function deletedState(provider: Provider, name: string, scope: ScopeRef): Promise<SecretMetadata | undefined> {
  if (!provider.list) return undefined;
  const page = await provider.list({ scope, prefix: name, includeDeleted: true, limit: 1000 });
  return page.items.find((m) => m.name === name && scopeKey(m.scope) === scopeKey(scope) && m.deletedAt !== undefined);
}
