import { isCofferError } from "../../errors/index.js";
import type { ScopeRef } from "../../model/scope.js";
import { scopeLabel } from "../../model/scope.js";
import type { SecretAddress, SecretMetadata, SecretWrite } from "../../model/secret.js";
import type { OperationContext } from "../context.js";
import { EntanglementRegistry } from "../entanglement.js";
import type { ScopeInput } from "../types.js";
import { attributesOf } from "../validate.js";
import { commitWrite } from "./commit-change.js";

/** `entangle`: link two secrets so a write to one is written to the other. */
export async function entangleSecrets(
  ctx: OperationContext,
  aIn: string,
  bIn: string,
  options: { a?: ScopeInput; b?: ScopeInput } = {},
): Promise<{ group: string[] }> {
  let a: string | undefined;
  try {
    a = ctx.name(aIn);
    const b = ctx.name(bIn);
    const left = { name: a, scope: ctx.writeScope(options.a ?? {}) };
    const right = { name: b, scope: ctx.writeScope(options.b ?? {}) };
    await ctx.guard.require({ action: "write", name: a });
    await ctx.guard.require({ action: "write", name: b });
    const group = await ctx.state.links.link(left, right);
    await ctx.record({
      action: "entangle",
      name: a,
      scope: scopeLabel(left.scope),
      success: true,
      details: { with: EntanglementRegistry.label(EntanglementRegistry.key(right)) },
    });
    return { group: group.map(EntanglementRegistry.label) };
  } catch (err) {
    return ctx.failure("entangle", err, { name: a });
  }
}

/** `disentangle`: remove a direct link. */
export async function disentangleSecrets(
  ctx: OperationContext,
  aIn: string,
  bIn: string,
  options: { a?: ScopeInput; b?: ScopeInput } = {},
): Promise<{ removed: boolean }> {
  let a: string | undefined;
  try {
    a = ctx.name(aIn);
    const b = ctx.name(bIn);
    const left = { name: a, scope: ctx.writeScope(options.a ?? {}) };
    const right = { name: b, scope: ctx.writeScope(options.b ?? {}) };
    await ctx.guard.require({ action: "write", name: a });
    const removed = await ctx.state.links.unlink(left, right);
    await ctx.record({
      action: "disentangle",
      name: a,
      scope: scopeLabel(left.scope),
      success: true,
      details: { with: EntanglementRegistry.label(EntanglementRegistry.key(right)), removed },
    });
    return { removed };
  } catch (err) {
    return ctx.failure("disentangle", err, { name: a });
  }
}

/** Write the same value to every secret entangled with `origin`. */
export async function propagate(
  ctx: OperationContext,
  origin: { name: string; scope: ScopeRef },
  env: string | undefined,
  value: string,
  encoding: SecretWrite["encoding"],
  reason: string,
): Promise<string[]> {
  const group = await ctx.state.links.group(origin);
  const originKey = EntanglementRegistry.key(origin);
  const updated: string[] = [];
  for (const key of group) {
    if (key === originKey) continue;
    const target = EntanglementRegistry.parse(key);
    const address: SecretAddress = env === undefined ? target : { ...target, env };
    let provider = ctx.state.defaultProvider;
    try {
      provider = (await ctx.state.chain.resolve([address])).provider;
    } catch (err) {
      if (!isCofferError(err, "NOT_FOUND")) throw err;
    }
    const current = await ctx.current(provider, address);
    await ctx.guard.require({
      action: "write",
      name: target.name,
      secret: current ?? ({ name: target.name, scope: target.scope } as SecretMetadata),
    });
    await commitWrite(
      ctx,
      provider,
      address,
      { ...(current ? attributesOf(current) : {}), value, encoding, reason },
      {},
      "write",
    );
    updated.push(EntanglementRegistry.label(key));
  }
  return updated;
}
