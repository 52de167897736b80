import { FallbackChain } from "../../chain/fallback-chain.js";
import { CofferError, isCofferError } from "../../errors/index.js";
import { decayOf } from "../../expiry/decay.js";
import { scopeKey, scopeLabel } from "../../model/scope.js";
import type { SecretMetadata, SecretVersionInfo, StoredSecret } from "../../model/secret.js";
import type { Provider } from "../../provider/provider.js";
import type { OperationContext } from "../context.js";
import { EntanglementRegistry } from "../entanglement.js";
import type { GetOptions, Inspection, ScopeInput, SecretResult, SecretView } from "../types.js";

/** `get`: read through the chain; the value only with `reveal` (guarded and audited first). */
export async function getSecret(
  ctx: OperationContext,
  nameIn: string,
  options: GetOptions = {},
): Promise<SecretResult> {
  let name: string | undefined;
  try {
    name = ctx.name(nameIn);
    if (options.version !== undefined && (!Number.isInteger(options.version) || options.version < 1)) {
      throw new CofferError("INVALID_ARGUMENT", "version must be a positive whole number", { field: "version" });
    }
    const detected = await ctx.resolveEnv(options.env);
    const hit = await ctx.state.chain.resolve(ctx.candidates(name, ctx.cascade(options), detected.env), {
      version: options.version,
      only: options.provider,
      noCache: options.noCache === true,
    });
    const secret = hit.secret;
    const decay = decayOf(secret, ctx.now());
    if (decay.state === "hard-expired" && !options.allowExpired) {
      throw new CofferError("EXPIRED", `secret "${name}" expired at ${secret.expiresAt}`, {
        name,
        expiresAt: secret.expiresAt,
        hint: "pass allowExpired (--allow-expired) to read it anyway",
      });
    }
    const provenance = {
      provider: hit.provider.name,
      scope: secret.scope,
      ...(secret.env !== undefined ? { env: secret.env } : {}),
      envSource: detected.source,
      outcomes: hit.outcomes,
      ...hit.freshness,
    };
    if (options.reveal) {
      await ctx.guard.requireReveal(name, secret, options.purpose);
      await ctx.record({
        action: "reveal",
        name,
        scope: scopeLabel(secret.scope),
        env: secret.env,
        provider: hit.provider.name,
        success: true,
        purpose: options.purpose,
        version: secret.version,
        fingerprint: ctx.state.recorder.log?.fingerprint(secret.value),
      });
      return { ...ctx.view(secret, secret.value), value: secret.value, provenance };
    }
    await ctx.guard.require({ action: "read", name, secret });
    ctx.recordLater({
      action: "read",
      name,
      scope: scopeLabel(secret.scope),
      env: secret.env,
      provider: hit.provider.name,
      success: true,
      version: secret.version,
    });
    return { ...ctx.view(secret, secret.value), provenance };
  } catch (err) {
    return ctx.failure(options.reveal ? "reveal" : "read", err, { name, purpose: options.purpose });
  }
}

/** `has`: whether a readable, unexpired secret exists (a miss is `false`, not an error). */
export async function hasSecret(ctx: OperationContext, nameIn: string, options: GetOptions = {}): Promise<boolean> {
  const name = ctx.name(nameIn);
  try {
    const detected = await ctx.resolveEnv(options.env);
    const hit = await ctx.state.chain.resolve(ctx.candidates(name, ctx.cascade(options), detected.env), {
      only: options.provider,
      noCache: options.noCache === true,
    });
    await ctx.guard.require({ action: "read", name, secret: hit.secret });
    const state = decayOf(hit.secret, ctx.now()).state;
    ctx.recordLater({
      action: "read",
      name,
      scope: scopeLabel(hit.secret.scope),
      provider: hit.provider.name,
      success: true,
      details: { check: "has" },
    });
    return state !== "expired" && state !== "hard-expired";
  } catch (err) {
    if (isCofferError(err, "NOT_FOUND")) return false;
    throw err;
  }
}

/** `inspect`: every state, the version history, links and access counts of one secret. */
export async function inspectSecret(
  ctx: OperationContext,
  nameIn: string,
  options: ScopeInput & { provider?: string; env?: string } = {},
): Promise<Inspection> {
  let name: string | undefined;
  try {
    name = ctx.name(nameIn);
    const detected = await ctx.resolveEnv(options.env);
    const hit = await locateAnyState(ctx, name, options, detected.env);
    await ctx.guard.require({ action: "read", name, secret: hit.secret });
    const provider = hit.provider;
    const scope = hit.secret.scope;
    const states: SecretView[] = [];
    if (provider.list) {
      let cursor: string | undefined;
      do {
        const page = await provider.list({ scope, prefix: name, cursor, limit: 1000 });
        for (const m of page.items)
          if (m.name === name && scopeKey(m.scope) === scopeKey(scope)) states.push(ctx.view(m));
        cursor = page.nextCursor;
      } while (cursor);
    }
    if (states.length === 0) states.push(ctx.view(hit.secret, "value" in hit.secret ? hit.secret.value : undefined));
    const inForce = states.find((s) => s.env === detected.env) ?? states.find((s) => s.env === undefined);
    const versions = provider.history ? await provider.history({ name, scope, env: hit.secret.env }) : [];
    const selfKey = EntanglementRegistry.key({ name, scope });
    const entangledWith = (await ctx.state.links.group({ name, scope }))
      .filter((k) => k !== selfKey)
      .map(EntanglementRegistry.label);
    let accessCount = 0;
    let lastAccess: string | undefined;
    const log = ctx.state.recorder.log;
    if (log) {
      const entries = await log.query({ name, limit: 10000 });
      const access = entries.filter(
        (e) => e.success && (e.action === "read" || e.action === "reveal" || e.action === "exec"),
      );
      accessCount = access.reduce(
        (n, e) => n + (e.details?.coalesced && typeof e.details.count === "number" ? e.details.count : 1),
        0,
      );
      lastAccess = access[0]?.time;
    }
    ctx.recordLater({ action: "inspect", name, scope: scopeLabel(scope), provider: provider.name, success: true });
    return {
      name,
      scope,
      scopeLabel: scopeLabel(scope),
      provider: provider.name,
      states,
      ...(detected.env !== undefined ? { envInForce: detected.env } : {}),
      ...(inForce ? { stateInForce: inForce.env ?? "default" } : {}),
      versionsOf: hit.secret.env ?? "default",
      versions,
      entangledWith,
      accessCount,
      ...(lastAccess ? { lastAccess } : {}),
    };
  } catch (err) {
    return ctx.failure("inspect", err, { name });
  }
}

/**
 * Where a secret lives, for inspect: the state a read would return (env in force, then default),
 * else the first scope (most specific first) and provider holding any state of it, so a secret
 * with only env states (no default state) is still found.
 * @throws CofferError NOT_FOUND when no provider holds any state of it
 */
async function locateAnyState(
  ctx: OperationContext,
  name: string,
  options: ScopeInput & { provider?: string },
  env: string | undefined,
): Promise<{ provider: Provider; secret: SecretMetadata | StoredSecret }> {
  try {
    return await ctx.locate(name, { ...options, env });
  } catch (err) {
    if (!isCofferError(err, "NOT_FOUND")) throw err;
    const chain = ctx.state.chain;
    const providers = options.provider ? [chain.provider(options.provider)] : chain.entries.map((e) => e.provider);
    for (const scope of ctx.cascade(options)) {
      for (const provider of providers) {
        if (!provider.list || !provider.capabilities.envs || !FallbackChain.holds(provider, scope.kind)) continue;
        let cursor: string | undefined;
        do {
          const page = await provider.list({ scope, prefix: name, cursor, limit: 1000 });
          const found = page.items.find((m) => m.name === name && scopeKey(m.scope) === scopeKey(scope));
          if (found) return { provider, secret: found };
          cursor = page.nextCursor;
        } while (cursor);
      }
    }
    throw err;
  }
}

/** `history`: the versions of one state, newest first. */
export async function secretHistory(
  ctx: OperationContext,
  nameIn: string,
  options: ScopeInput & { env?: string; provider?: string } = {},
): Promise<SecretVersionInfo[]> {
  let name: string | undefined;
  try {
    name = ctx.name(nameIn);
    const hit = await ctx.locate(name, options);
    await ctx.guard.require({ action: "read", name, secret: hit.secret });
    if (!hit.provider.history)
      throw new CofferError("UNSUPPORTED", `provider ${hit.provider.name} keeps no version history`, {
        provider: hit.provider.name,
      });
    const versions = await hit.provider.history({ name, scope: hit.secret.scope, env: hit.secret.env });
    ctx.recordLater({
      action: "history",
      name,
      scope: scopeLabel(hit.secret.scope),
      provider: hit.provider.name,
      success: true,
    });
    return versions;
  } catch (err) {
    return ctx.failure("history", err, { name });
  }
}
