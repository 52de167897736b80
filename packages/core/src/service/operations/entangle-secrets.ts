import type { AuditAction, AuditEntryInput } from "../../audit/types.js";
import { asProviderError } from "../../chain/fallback-chain.js";
import { isCofferError } from "../../errors/index.js";
import { scopeLabel } from "../../model/scope.js";
import type { SecretAddress, SecretMetadata, SecretWrite, StoredSecret } from "../../model/secret.js";
import type { Provider } from "../../provider/provider.js";
import { linkConflict } from "../access-guard.js";
import type { OperationContext } from "../context.js";
import { EntanglementRegistry } from "../entanglement.js";
import type { EntangleFailure, ScopeInput } from "../types.js";
import { attributesOf } from "../validate.js";
import { commitWrite } from "./commit-change.js";

/** `entangle`: link two existing secrets so a write to one is written to the other. */
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
    // Both must exist: the guard decides on their metadata (restrictions, reveal, write).
    const leftMeta = (await ctx.state.chain.resolve([left])).secret;
    const rightMeta = (await ctx.state.chain.resolve([right])).secret;
    await ctx.guard.requireLink(leftMeta, rightMeta);
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

/** A linked secret a write will reach. */
interface LinkedTarget {
  provider: Provider;
  address: SecretAddress;
  current?: StoredSecret;
  label: string;
}

/** What a write to a linked secret will do: the targets it reaches, and links it breaks. */
export interface PropagationPlan {
  targets: LinkedTarget[];
  breaks: Array<{ from: string; to: string; rule: string }>;
}

/**
 * Plan the propagation of a write of `origin` (with its new attributes) to every secret linked
 * to it, and authorize it in full before anything is written: each target must be writable by
 * the caller, and a value the caller did not supply must not reach a secret it may reveal when
 * it may not reveal the origin. A link whose two sides no longer carry the same restrictions
 * (write-only, allowed agents) is broken instead of carrying the value across.
 * @throws CofferError PERMISSION_DENIED (audited) before any write
 */
export async function planPropagation(
  ctx: OperationContext,
  origin: SecretMetadata,
  env: string | undefined,
  valueKnownToCaller: boolean,
): Promise<PropagationPlan> {
  const links = ctx.state.links;
  const originKey = EntanglementRegistry.key(origin);
  const seen = new Set([originKey]);
  const queue = [originKey];
  const plan: PropagationPlan = { targets: [], breaks: [] };
  const metas: SecretMetadata[] = [];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const to of await links.neighbours(from)) {
      if (seen.has(to)) continue;
      seen.add(to);
      const loc = EntanglementRegistry.parse(to);
      const address: SecretAddress = env === undefined ? loc : { ...loc, env };
      let provider = ctx.state.defaultProvider;
      try {
        provider = (await ctx.state.chain.resolve([address])).provider;
      } catch (err) {
        if (!isCofferError(err, "NOT_FOUND")) throw err;
      }
      const current = await ctx.current(provider, address);
      const described = current ?? (env !== undefined ? await ctx.current(provider, loc) : undefined);
      const meta = described ?? ({ name: loc.name, scope: loc.scope } as SecretMetadata);
      const conflict = linkConflict(origin, meta);
      if (conflict) {
        plan.breaks.push({ from, to, rule: conflict.rule });
        continue;
      }
      plan.targets.push({ provider, address, ...(current ? { current } : {}), label: EntanglementRegistry.label(to) });
      metas.push(meta);
      queue.push(to);
    }
  }
  for (const meta of metas) await ctx.guard.require({ action: "write", name: meta.name, secret: meta });
  if (!valueKnownToCaller) await ctx.guard.requireBlindPropagation(origin, metas);
  return plan;
}

/** The result of writing a secret and the secrets linked to it. */
export interface LinkedWriteResult {
  meta: SecretMetadata;
  entangled: string[];
  entangleFailures?: EntangleFailure[];
}

/**
 * Write `address` and propagate the value along the plan. Links the plan breaks are removed and
 * audited first. When every write goes to one provider with an atomic batch write that keeps the
 * audit log (the local store), all of them commit in one transaction with their audit entries;
 * otherwise the secret is written first (a failure there writes nothing else) and each linked
 * secret after it, failures reported per secret.
 */
export async function writeLinked(
  ctx: OperationContext,
  provider: Provider,
  address: SecretAddress,
  write: SecretWrite,
  opts: { ifVersion?: number; mode?: "create" | "upsert" },
  action: AuditAction,
  plan: PropagationPlan,
): Promise<LinkedWriteResult> {
  for (const b of plan.breaks) {
    const from = EntanglementRegistry.parse(b.from);
    await ctx.state.links.unlink(from, EntanglementRegistry.parse(b.to));
    await ctx.record({
      action: "disentangle",
      name: from.name,
      scope: scopeLabel(from.scope),
      success: true,
      details: { with: EntanglementRegistry.label(b.to), reason: "restriction-changed", rule: b.rule },
    });
  }
  const targetWrite = (t: LinkedTarget): SecretWrite => ({
    ...(t.current ? attributesOf(t.current) : {}),
    value: write.value,
    encoding: write.encoding,
    reason: "entangle",
  });
  const recorder = ctx.state.recorder;
  const batchable =
    plan.targets.length > 0 &&
    provider.writeBatch !== undefined &&
    (recorder.log === undefined || provider === recorder.owner) &&
    plan.targets.every((t) => t.provider === provider);
  if (batchable) {
    ctx.writable(provider);
    ctx.refuseOffline(provider);
    const entry = (a: SecretAddress, value: string, act: AuditAction): AuditEntryInput | undefined =>
      recorder.log
        ? ctx.entry({
            action: act,
            name: a.name,
            scope: scopeLabel(a.scope),
            env: a.env,
            provider: provider.name,
            success: true,
            fingerprint: recorder.log.fingerprint(value),
          })
        : undefined;
    const withAudit = (a: SecretAddress, w: SecretWrite, o: typeof opts, act: AuditAction) => {
      const audit = entry(a, w.value, act);
      return { address: a, write: w, options: { ...o, ...(audit ? { audit } : {}) } };
    };
    const metas = await provider.writeBatch!([
      withAudit(address, write, opts, action),
      ...plan.targets.map((t) => withAudit(t.address, targetWrite(t), {}, "write")),
    ]);
    return { meta: metas[0]!, entangled: plan.targets.map((t) => t.label) };
  }
  const meta = await commitWrite(ctx, provider, address, write, opts, action);
  const entangled: string[] = [];
  const failures: EntangleFailure[] = [];
  for (const t of plan.targets) {
    try {
      await commitWrite(ctx, t.provider, t.address, targetWrite(t), {}, "write");
      entangled.push(t.label);
    } catch (err) {
      const e = asProviderError(err, t.provider.name);
      failures.push({ secret: t.label, code: e.code, message: e.message });
    }
  }
  return { meta, entangled, ...(failures.length > 0 ? { entangleFailures: failures } : {}) };
}
