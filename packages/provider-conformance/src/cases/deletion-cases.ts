import { CofferError, type SecretRef } from "@coffer/core";
import type { CaseContext } from "../case-context.js";
import { describeResult, expectCofferError } from "../coffer-error-expectations.js";
import type { ConformanceCase } from "../conformance-case.js";
import { capabilitySupport } from "../conformance-case.js";
import { ConformanceViolation } from "../conformance-violation.js";
import { listAllPages } from "../listing.js";
import { expectStoredSecret, isIsoTimestamp } from "../secret-expectations.js";
import { verifyMethodUnsupported } from "../unsupported-expectations.js";

/** Put a secret in place with two versions when the provider can write, one when it is seeded. */
async function putVersions(ctx: CaseContext, name: string): Promise<string[]> {
  if (ctx.readOnly) {
    const value = ctx.value("seeded");
    await ctx.put([{ name, value }]);
    return [value];
  }
  const values = [ctx.value("v1"), ctx.value("v2")];
  for (const value of values) await ctx.set(ctx.address(name), { value, encoding: "utf-8" });
  return values;
}

function refOf(ctx: CaseContext, name: string): SecretRef {
  return { name, scope: ctx.address(name).scope };
}

function requireMethod<K extends "delete" | "restore" | "purge">(ctx: CaseContext, method: K, flag: string) {
  const fn = ctx.provider[method];
  if (typeof fn !== "function")
    throw new ConformanceViolation(`capabilities.${flag} is true but provider.${method} is missing`);
  return fn.bind(ctx.provider) as NonNullable<CaseContext["provider"][K]>;
}

/** Whether `name` shows in a listing (following every page). */
async function listed(ctx: CaseContext, name: string, includeDeleted: boolean) {
  const { items } = await listAllPages(ctx, { prefix: name, includeDeleted });
  return items.find((item) => item.name === name && item.env === undefined);
}

/** A deleted secret reads as NOT_FOUND, leaves the listing, and (soft delete) shows with includeDeleted. */
export const deleteCase: ConformanceCase = {
  name: "delete",
  title: "delete then get is NOT_FOUND; list hides it, includeDeleted shows it",
  support: (ctx) => capabilitySupport(ctx, "delete"),
  verifyUnsupported: (ctx) => verifyMethodUnsupported(ctx, "delete"),
  async run(ctx) {
    const remove = requireMethod(ctx, "delete", "delete");
    const { softDelete, list, versions } = ctx.capabilities;
    const name = ctx.name("deleted");
    const values = await putVersions(ctx, name);

    const outcome = await remove(refOf(ctx, name));
    if (outcome === null || typeof outcome !== "object") {
      throw new ConformanceViolation(`delete returned ${describeResult(outcome)}, expected a DeleteOutcome`);
    }
    if (outcome.purged !== !softDelete) {
      throw new ConformanceViolation(
        `delete returned purged ${describeResult(outcome.purged)}, but capabilities.softDelete is ${softDelete} (a recoverable delete is not purged)`,
      );
    }
    if (
      !Number.isInteger(outcome.versionsDeleted) ||
      outcome.versionsDeleted < 1 ||
      outcome.versionsDeleted > values.length
    ) {
      throw new ConformanceViolation(
        `delete of a secret with ${values.length} version(s) reports versionsDeleted ${describeResult(outcome.versionsDeleted)}`,
      );
    }
    if (outcome.purgeAt !== undefined && !isIsoTimestamp(outcome.purgeAt)) {
      throw new ConformanceViolation(
        `delete returned purgeAt ${describeResult(outcome.purgeAt)}, not an ISO 8601 time`,
      );
    }

    await expectCofferError(
      "get of a deleted secret",
      () => ctx.provider.get(ctx.address(name)),
      "NOT_FOUND",
      ctx.secretValues,
    );
    if (versions) {
      await expectCofferError(
        "get of version 1 of a deleted secret",
        () => ctx.provider.get(ctx.address(name), { version: 1 }),
        "NOT_FOUND",
        ctx.secretValues,
      );
    }
    if (list) {
      if (await listed(ctx, name, false)) throw new ConformanceViolation("list still shows a deleted secret");
      if (softDelete) {
        const item = await listed(ctx, name, true);
        if (!item) throw new ConformanceViolation("list with includeDeleted does not show a soft-deleted secret");
        if ("value" in item) throw new ConformanceViolation("list with includeDeleted returned a value field");
        if (!isIsoTimestamp(item.deletedAt)) {
          throw new ConformanceViolation(
            `list with includeDeleted shows a soft-deleted secret with deletedAt ${describeResult(item.deletedAt)}`,
          );
        }
      }
    }
    await expectCofferError("delete of a missing secret", () => remove(refOf(ctx, ctx.name("missing"))), "NOT_FOUND");
  },
};

/** Restore brings back a soft-deleted secret with its value and versions. */
export const restoreCase: ConformanceCase = {
  name: "restore",
  title: "restore brings back the value and versions",
  support: (ctx) => capabilitySupport(ctx, "softDelete"),
  verifyUnsupported: (ctx) => verifyMethodUnsupported(ctx, "softDelete"),
  async run(ctx) {
    const remove = requireMethod(ctx, "delete", "delete");
    const restore = requireMethod(ctx, "restore", "softDelete");
    const name = ctx.name("restored");
    const values = await putVersions(ctx, name);
    const before = await ctx.provider.get(ctx.address(name));
    await remove(refOf(ctx, name));

    const restored = await restore(refOf(ctx, name));
    if (
      restored === null ||
      typeof restored !== "object" ||
      !Number.isInteger(restored.versionsRestored) ||
      restored.versionsRestored < 1
    ) {
      throw new ConformanceViolation(
        `restore returned ${describeResult(restored)}, expected { versionsRestored: >= 1 }`,
      );
    }
    expectStoredSecret(
      "get after restore",
      await ctx.provider.get(ctx.address(name)),
      { name, value: values.at(-1)!, version: before.version },
      ctx,
    );
    if (ctx.capabilities.versions && values.length > 1) {
      expectStoredSecret(
        "get of version 1 after restore",
        await ctx.provider.get(ctx.address(name), { version: 1 }),
        { name, value: values[0]!, version: 1 },
        ctx,
      );
    }
    if (ctx.capabilities.list) {
      const item = await listed(ctx, name, false);
      if (!item) throw new ConformanceViolation("list does not show a restored secret");
      if (item.deletedAt !== undefined)
        throw new ConformanceViolation("list shows a restored secret with deletedAt still set");
    }
    if (!ctx.readOnly) {
      const next = ctx.value("after-restore");
      const meta = await ctx.set(ctx.address(name), { value: next, encoding: "utf-8" });
      if (meta.version !== before.version + 1) {
        throw new ConformanceViolation(
          `set after restore made version ${describeResult(meta.version)}, expected ${before.version + 1}`,
        );
      }
    }
    await expectCofferError("restore of a missing secret", () => restore(refOf(ctx, ctx.name("missing"))), "NOT_FOUND");
  },
};

/** Purge removes a secret for good: not readable, not restorable, not listed. */
export const purgeCase: ConformanceCase = {
  name: "purge",
  title: "purge then restore is NOT_FOUND",
  support: (ctx) => capabilitySupport(ctx, "purge"),
  verifyUnsupported: (ctx) => verifyMethodUnsupported(ctx, "purge"),
  async run(ctx) {
    const purge = requireMethod(ctx, "purge", "purge");
    const { delete: canDelete, softDelete, list } = ctx.capabilities;
    const gone = async (name: string, after: string) => {
      await expectCofferError(
        `get after ${after}`,
        () => ctx.provider.get(ctx.address(name)),
        "NOT_FOUND",
        ctx.secretValues,
      );
      if (softDelete) {
        const restore = requireMethod(ctx, "restore", "softDelete");
        await expectCofferError(
          `restore after ${after}`,
          () => restore(refOf(ctx, name)),
          "NOT_FOUND",
          ctx.secretValues,
        );
      }
      if (list && (await listed(ctx, name, true))) {
        throw new ConformanceViolation(`list with includeDeleted still shows a secret after ${after}`);
      }
    };

    const deletedFirst = ctx.name("deleted-then-purged");
    await putVersions(ctx, deletedFirst);
    if (canDelete) await requireMethod(ctx, "delete", "delete")(refOf(ctx, deletedFirst));
    const purged = await purge(refOf(ctx, deletedFirst));
    if (
      purged === null ||
      typeof purged !== "object" ||
      !Number.isInteger(purged.versionsDeleted) ||
      purged.versionsDeleted < 1
    ) {
      throw new ConformanceViolation(`purge returned ${describeResult(purged)}, expected { versionsDeleted: >= 1 }`);
    }
    await gone(deletedFirst, canDelete ? "delete then purge" : "purge");

    const live = ctx.name("purged-live");
    await putVersions(ctx, live);
    await purge(refOf(ctx, live));
    await gone(live, "purge of a secret that was not deleted");

    await expectCofferError("purge of a missing secret", () => purge(refOf(ctx, ctx.name("missing"))), "NOT_FOUND");

    if (canDelete) {
      const hard = ctx.name("delete-purge");
      await putVersions(ctx, hard);
      const outcome = await requireMethod(ctx, "delete", "delete")(refOf(ctx, hard), { purge: true });
      if (outcome?.purged !== true) {
        throw new ConformanceViolation(
          `delete with purge: true returned ${describeResult(outcome)}, expected purged: true`,
        );
      }
      await gone(hard, "delete with purge: true");
    }
  },
};

/**
 * A deleted name can be used again: `set` on a soft-deleted secret starts it live again (its
 * deleted versions stay in its history, the result says a deleted secret was replaced), `mode:
 * "create"` treats it as absent, other deleted states stay deleted, and it can be deleted again.
 */
export const reuseCase: ConformanceCase = {
  name: "reuse-deleted",
  title: "set on a soft-deleted name starts a live secret again; create treats it as absent",
  support: (ctx) =>
    ctx.readOnly ? { supported: false, reason: "capabilities.write is false" } : capabilitySupport(ctx, "softDelete"),
  async run(ctx) {
    const remove = requireMethod(ctx, "delete", "delete");
    const { versions, list, envs, conditionalWrite } = ctx.capabilities;
    const name = ctx.name("reused");
    const values = await putVersions(ctx, name);
    const before = await ctx.provider.get(ctx.address(name));
    const envAddress = ctx.address(name, { env: "staging" });
    if (envs) await ctx.set(envAddress, { value: ctx.value("staging"), encoding: "utf-8" });
    await remove(refOf(ctx, name));

    const next = ctx.value("after-delete");
    const meta = await ctx.set(ctx.address(name), { value: next, encoding: "utf-8" }).catch((err: unknown) => {
      const code = err instanceof CofferError ? `CofferError ${err.code}` : "an error";
      throw new ConformanceViolation(
        `set on a soft-deleted secret failed with ${code}; it must start the secret live again`,
      );
    });
    if (meta.replacedDeleted !== true) {
      throw new ConformanceViolation(
        `set on a soft-deleted secret returned replacedDeleted ${describeResult(meta.replacedDeleted)}, expected true`,
      );
    }
    if (versions && meta.version !== before.version + 1) {
      throw new ConformanceViolation(
        `set on a soft-deleted secret with ${values.length} version(s) made version ${describeResult(meta.version)}, expected ${before.version + 1} (deleted versions stay in its history)`,
      );
    }
    expectStoredSecret(
      "get after set on a deleted secret",
      await ctx.provider.get(ctx.address(name)),
      { name, value: next, version: meta.version },
      ctx,
    );
    if (versions && ctx.provider.history) {
      const history = await ctx.provider.history(ctx.address(name));
      const numbers = history.map((h) => h.version);
      if (!numbers.includes(1) || !numbers.includes(meta.version)) {
        throw new ConformanceViolation(
          `history after set on a deleted secret lists versions ${describeResult(numbers)}; expected the deleted version 1 and the new ${meta.version}`,
        );
      }
    }
    if (envs) {
      await expectCofferError(
        "get of another env state of a deleted secret after its default state was written again",
        () => ctx.provider.get(envAddress),
        "NOT_FOUND",
        ctx.secretValues,
      );
    }
    if (list) {
      const item = await listed(ctx, name, false);
      if (!item) throw new ConformanceViolation("list does not show a secret written again after its delete");
      if (item.deletedAt !== undefined) {
        throw new ConformanceViolation("list shows a secret written again after its delete with deletedAt still set");
      }
    }
    const again = await ctx.provider.get(ctx.address(name));
    if (again.replacedDeleted !== undefined) {
      throw new ConformanceViolation("get returned replacedDeleted, which only a write's result carries");
    }

    // Deleted again (with the other state still deleted), then created in create mode.
    await remove(refOf(ctx, name));
    await expectCofferError(
      "get after a second delete",
      () => ctx.provider.get(ctx.address(name)),
      "NOT_FOUND",
      ctx.secretValues,
    );
    if (conditionalWrite) {
      const created = ctx.value("created");
      const meta2 = await ctx.set(ctx.address(name), { value: created, encoding: "utf-8" }, { mode: "create" });
      if (meta2.replacedDeleted !== true) {
        throw new ConformanceViolation("create of a soft-deleted name did not report replacedDeleted: true");
      }
      expectStoredSecret(
        "get after create of a deleted name",
        await ctx.provider.get(ctx.address(name)),
        { name, value: created },
        ctx,
      );
      await expectCofferError(
        "create of a live name",
        () => ctx.set(ctx.address(name), { value: ctx.value("dup"), encoding: "utf-8" }, { mode: "create" }),
        "ALREADY_EXISTS",
        ctx.secretValues,
      );
    }
    // A purge removes the deleted states with the live ones.
    if (ctx.capabilities.purge) {
      const outcome = await remove(refOf(ctx, name), { purge: true });
      if (outcome?.purged !== true)
        throw new ConformanceViolation("delete with purge: true of a reused name did not purge");
      await expectCofferError(
        "get after purge of a reused name",
        () => ctx.provider.get(ctx.address(name)),
        "NOT_FOUND",
        ctx.secretValues,
      );
    }
  },
};
