import { CofferError } from "../../errors/index.js";
import { generateSecret } from "../../generate/index.js";
import { checkNumericInput, NUMERIC_RANGES } from "../../inputs/numeric-ranges.js";
import { scopeLabel } from "../../model/scope.js";
import type { SecretAddress, SecretMetadata } from "../../model/secret.js";
import type { OperationContext } from "../context.js";
import type {
  GenerateOptions,
  GenerateResult,
  RotateOptions,
  RotateResult,
  ScopeInput,
  SetOptions,
  WriteResult,
} from "../types.js";
import { attributesOf, validateAttributes, validateValue } from "../validate.js";
import { writeResult } from "../views.js";
import { planPropagation, writeLinked } from "./entangle-secrets.js";

const DAY = 86400;

/** `set`: write a new version (and the same value to entangled secrets). */
export async function setSecret(
  ctx: OperationContext,
  nameIn: string,
  valueIn: string,
  options: SetOptions = {},
): Promise<WriteResult> {
  let name: string | undefined;
  try {
    name = ctx.name(nameIn);
    const env = ctx.envName(options.env);
    const { value, encoding } = validateValue(
      valueIn,
      options.encoding ?? "utf-8",
      options.allowEmpty || env !== undefined,
    );
    const attrs = validateAttributes(options);
    if (options.ifVersion !== undefined && (!Number.isInteger(options.ifVersion) || options.ifVersion < 0)) {
      throw new CofferError("INVALID_ARGUMENT", "ifVersion must be a whole number (0: must not exist)", {
        field: "ifVersion",
      });
    }
    if (options.mode !== undefined && options.mode !== "create" && options.mode !== "upsert") {
      throw new CofferError("INVALID_ARGUMENT", 'mode must be "create" or "upsert"', { field: "mode" });
    }
    const scope = ctx.writeScope(options);
    const provider = ctx.writeTarget(options.provider);
    ctx.writable(provider);
    const address: SecretAddress = env === undefined ? { name, scope } : { name, scope, env };
    const current = await ctx.current(provider, address);
    await ctx.guard.require({
      action: "write",
      name,
      secret: current ?? ({ name, scope, tags: attrs.tags } as SecretMetadata),
    });
    const merged = options.mergeAttributes === false || !current ? attrs : { ...attributesOf(current), ...attrs };
    // Every linked secret is authorized before anything is written (a refusal changes nothing).
    const plan = await planPropagation(ctx, { ...merged, name, scope } as SecretMetadata, env, true);
    const hookBase = { name, scope: scopeLabel(scope), env, provider: provider.name, tags: merged.tags };
    await ctx.hooks("before", "write", hookBase);
    const out = await writeLinked(
      ctx,
      provider,
      address,
      {
        ...merged,
        value,
        encoding,
        reason: "write",
        ...(options.expirePrevious ? { previousValidForSeconds: 0 } : {}),
      },
      { ifVersion: options.ifVersion, mode: options.mode },
      "write",
      plan,
    );
    const hooks = await ctx.hooks("after", "write", { ...hookBase, version: out.meta.version });
    const result = writeResult(out.meta, out.entangled, hooks, out.entangleFailures);
    const expiresAt = out.meta.expiresAt ?? merged.expiresAt;
    return expiresAt !== undefined && Date.parse(expiresAt) <= ctx.now().getTime()
      ? { ...result, alreadyExpired: true }
      : result;
  } catch (err) {
    return ctx.failure("write", err, { name });
  }
}

/** `rotate`: a new (given or generated) value; the old one stays valid for the grace period. */
export async function rotateSecret(
  ctx: OperationContext,
  nameIn: string,
  options: RotateOptions = {},
): Promise<RotateResult> {
  let name: string | undefined;
  try {
    name = ctx.name(nameIn);
    const hit = await ctx.locate(name, options);
    const current = hit.secret;
    await ctx.guard.require({ action: "rotate", name, secret: current });
    const provider = hit.provider;
    let value = options.value;
    let generated = false;
    if (value === undefined) {
      const format = options.generate ?? current.rotationFormat ?? "token";
      const prefix =
        format === "api-key" || format === "token" ? (options.prefix ?? current.rotationPrefix) : undefined;
      value = generateSecret({ format, prefix }).value;
      generated = true;
    }
    const valid = validateValue(value, current.encoding === "base64" && !generated ? "base64" : "utf-8");
    const grace = options.expireOld
      ? 0
      : options.graceSeconds === undefined
        ? ctx.state.rotationGraceDays * DAY
        : checkNumericInput(NUMERIC_RANGES.graceSeconds, options.graceSeconds, "graceSeconds");
    const address: SecretAddress = {
      name,
      scope: current.scope,
      ...(current.env !== undefined ? { env: current.env } : {}),
    };
    const hookBase = {
      name,
      scope: scopeLabel(current.scope),
      env: current.env,
      provider: provider.name,
      tags: current.tags,
    };
    const plan = await planPropagation(ctx, current, current.env, options.value !== undefined);
    await ctx.hooks("before", "rotate", hookBase);
    const { meta, entangled, entangleFailures } = await writeLinked(
      ctx,
      provider,
      address,
      {
        ...attributesOf(current),
        value: valid.value,
        encoding: valid.encoding,
        reason: "rotate",
        previousValidForSeconds: grace,
      },
      { ifVersion: current.version },
      "rotate",
      plan,
    );
    const hooks = await ctx.hooks("after", "rotate", { ...hookBase, version: meta.version });
    const validUntil = grace > 0 ? new Date(ctx.now().getTime() + grace * 1000).toISOString() : undefined;
    return {
      name,
      scopeLabel: scopeLabel(current.scope),
      oldVersion: current.version,
      newVersion: meta.version,
      ...(validUntil ? { oldValidUntil: validUntil } : {}),
      provider: provider.name,
      generated,
      entangled,
      ...(entangleFailures ? { entangleFailures } : {}),
      hooks,
    };
  } catch (err) {
    return ctx.failure("rotate", err, { name });
  }
}

/** `rollback`: write an old version's value as a new version. */
export async function rollbackSecret(
  ctx: OperationContext,
  nameIn: string,
  to: number,
  options: ScopeInput & { env?: string; provider?: string } = {},
): Promise<WriteResult> {
  let name: string | undefined;
  try {
    name = ctx.name(nameIn);
    if (!Number.isInteger(to) || to < 1)
      throw new CofferError("INVALID_ARGUMENT", "the version to roll back to must be a positive whole number", {
        field: "to",
      });
    const hit = await ctx.locate(name, options);
    await ctx.guard.require({ action: "write", name, secret: hit.secret });
    const address: SecretAddress = {
      name,
      scope: hit.secret.scope,
      ...(hit.secret.env !== undefined ? { env: hit.secret.env } : {}),
    };
    const old = await hit.provider.get(address, { version: to });
    const plan = await planPropagation(ctx, hit.secret, hit.secret.env, false);
    const { meta, entangled, entangleFailures } = await writeLinked(
      ctx,
      hit.provider,
      address,
      { ...attributesOf(hit.secret), value: old.value, encoding: old.encoding, reason: `rollback:${to}` },
      { ifVersion: hit.secret.version },
      "rollback",
      plan,
    );
    return writeResult(meta, entangled, [], entangleFailures);
  } catch (err) {
    return ctx.failure("rollback", err, { name });
  }
}

/** `generate`: a new value, returned, or saved without being returned. */
export async function generateValue(ctx: OperationContext, options: GenerateOptions = {}): Promise<GenerateResult> {
  const g = generateSecret({ format: options.format, length: options.length, prefix: options.prefix });
  if (options.saveAs !== undefined) {
    const saved = await setSecret(ctx, options.saveAs, g.value, {
      ...(options.save ?? {}),
      rotationFormat: options.save?.rotationFormat ?? g.format,
      ...(options.prefix ? { rotationPrefix: options.save?.rotationPrefix ?? options.prefix } : {}),
    });
    return { format: g.format, entropyBits: g.entropyBits, length: g.value.length, saved };
  }
  ctx.recordLater({ action: "generate", success: true, details: { format: g.format } });
  return { value: g.value, format: g.format, entropyBits: g.entropyBits, length: g.value.length };
}
