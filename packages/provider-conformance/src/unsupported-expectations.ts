import type { Provider } from "@coffer/core";
import type { CaseContext } from "./case-context.js";
import { expectCofferError } from "./coffer-error-expectations.js";
import type { SeedEntry } from "./conformance-subject.js";
import { expectStoredSecret } from "./secret-expectations.js";

/** A capability flag that guards one optional provider method. */
export type MethodCapability = "write" | "delete" | "softDelete" | "purge" | "list" | "versions";

/** The optional method each method-guarding capability stands for. */
export const METHOD_OF_CAPABILITY: Readonly<Record<MethodCapability, keyof Provider & string>> = {
  write: "set",
  delete: "delete",
  softDelete: "restore",
  purge: "purge",
  list: "list",
  versions: "history",
};

/**
 * For a capability that is false: its method must be absent, or throw UNSUPPORTED and change
 * nothing (a secret put in place beforehand is still readable with the same value).
 * @throws ConformanceViolation when the method works or fails with another code
 */
export async function verifyMethodUnsupported(ctx: CaseContext, capability: MethodCapability): Promise<"verified"> {
  const { provider } = ctx;
  const method = METHOD_OF_CAPABILITY[capability];
  if (typeof provider[method] !== "function") return "verified";

  let existing: SeedEntry | undefined;
  if (ctx.canPut) {
    existing = { name: ctx.name(`${method}-unsupported`), value: ctx.value(`${method}-unsupported`) };
    await ctx.put([existing]);
  }
  const name = existing?.name ?? ctx.name(`${method}-unsupported`);
  const address = ctx.address(name);
  const ref = { name, scope: address.scope };
  const calls: Record<string, () => Promise<unknown>> = {
    set: () => provider.set!(address, { value: ctx.value("rejected-write"), encoding: "utf-8" }),
    delete: () => provider.delete!(ref),
    restore: () => provider.restore!(ref),
    purge: () => provider.purge!(ref),
    list: () => provider.list!({ prefix: name }),
    history: () => provider.history!(address),
  };
  await expectCofferError(
    `capabilities.${capability} is false, so provider.${method} must be absent or throw UNSUPPORTED`,
    calls[method]!,
    "UNSUPPORTED",
    ctx.secretValues,
  );
  if (existing) {
    const after = await provider.get(address);
    expectStoredSecret(
      `get after the unsupported provider.${method} call (it must change nothing)`,
      after,
      { name, value: existing.value },
      ctx,
    );
  }
  return "verified";
}
