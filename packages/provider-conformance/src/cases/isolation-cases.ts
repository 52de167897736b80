import { GLOBAL_SCOPE, SCOPE_KINDS, type ScopeKind, scopeKey } from "@coffer/core";
import { describeResult, expectCofferError } from "../coffer-error-expectations.js";
import type { ConformanceCase } from "../conformance-case.js";
import { ConformanceViolation } from "../conformance-violation.js";
import { listAllPages } from "../listing.js";
import { expectMetadataWithoutValue, expectStoredSecret } from "../secret-expectations.js";

/** Per-env states live beside the default state: separate values, versions and reads. */
export const envsCase: ConformanceCase = {
  name: "envs",
  title: "per-env states are independent of the default state",
  support: (ctx) => {
    if (!ctx.capabilities.envs) return { supported: false, reason: "capabilities.envs is false" };
    if (!ctx.capabilities.write)
      return { supported: false, reason: "capabilities.write is false (env states cannot be seeded)" };
    return { supported: true, reason: "capabilities.envs is true" };
  },
  async run(ctx) {
    const name = ctx.name("multi-env");
    const at = (env?: string) => ctx.address(name, env === undefined ? {} : { env });
    const [base, dev, prod, dev2] = [ctx.value("default"), ctx.value("dev"), ctx.value("prod"), ctx.value("dev-2")];
    await ctx.set(at(), { value: base, encoding: "utf-8" });
    const devMeta = await ctx.set(at("dev"), { value: dev, encoding: "utf-8" });
    expectMetadataWithoutValue("set of a new env state", devMeta, { name, env: "dev", version: 1 }, ctx);
    await ctx.set(at("prod"), { value: prod, encoding: "utf-8" });
    await ctx.set(at("dev"), { value: dev2, encoding: "utf-8" });

    expectStoredSecret(
      "get of the default state",
      await ctx.provider.get(at()),
      { name, value: base, version: 1 },
      ctx,
    );
    expectStoredSecret(
      "get of env dev",
      await ctx.provider.get(at("dev")),
      { name, env: "dev", value: dev2, version: 2 },
      ctx,
    );
    expectStoredSecret(
      "get of env prod",
      await ctx.provider.get(at("prod")),
      { name, env: "prod", value: prod, version: 1 },
      ctx,
    );
    await expectCofferError(
      "get of an env state that was never written (it must not fall back to the default state)",
      () => ctx.provider.get(at("staging")),
      "NOT_FOUND",
      ctx.secretValues,
    );

    const envOnly = ctx.name("env-only");
    await ctx.set(ctx.address(envOnly, { env: "dev" }), { value: ctx.value("env-only"), encoding: "utf-8" });
    await expectCofferError(
      "get of the default state of a secret that only has an env state",
      () => ctx.provider.get(ctx.address(envOnly)),
      "NOT_FOUND",
      ctx.secretValues,
    );

    if (ctx.capabilities.list) {
      const states = (await listAllPages(ctx, { prefix: name })).items
        .filter((item) => item.name === name)
        .map((item) => item.env ?? "(default)")
        .sort();
      if (JSON.stringify(states) !== JSON.stringify(["(default)", "dev", "prod"])) {
        throw new ConformanceViolation(
          `list shows the states ${JSON.stringify(states)}, expected one item per state: default, dev, prod`,
        );
      }
    }
    if (ctx.capabilities.delete) {
      await ctx.provider.delete!({ name, scope: GLOBAL_SCOPE });
      for (const env of [undefined, "dev", "prod"]) {
        await expectCofferError(
          `get of ${env ?? "the default state"} after deleting the secret (delete removes every state)`,
          () => ctx.provider.get(at(env)),
          "NOT_FOUND",
          ctx.secretValues,
        );
      }
    }
  },
  async verifyUnsupported(ctx) {
    const name = ctx.name("no-envs");
    const value = ctx.value("no-envs");
    await ctx.put([{ name, value }]);
    await expectCofferError(
      "capabilities.envs is false, so get of an env state must be NOT_FOUND or UNSUPPORTED (never the default value)",
      () => ctx.provider.get(ctx.address(name, { env: "staging" })),
      ["NOT_FOUND", "UNSUPPORTED"],
      ctx.secretValues,
    );
    if (ctx.readOnly) return "verified";
    const other = ctx.name("no-envs-write");
    await expectCofferError(
      "capabilities.envs is false, so a write to an env state must throw UNSUPPORTED",
      () => ctx.set(ctx.address(other, { env: "dev" }), { value: ctx.value("env-write"), encoding: "utf-8" }),
      "UNSUPPORTED",
      ctx.secretValues,
    );
    await expectCofferError(
      "get of the default state after a refused env write",
      () => ctx.provider.get(ctx.address(other)),
      "NOT_FOUND",
      ctx.secretValues,
    );
    return "verified";
  },
};

/** A secret in a project, team (or other) scope is invisible from the global scope and from other ids. */
export const scopesCase: ConformanceCase = {
  name: "scopes",
  title: "scoped secrets are invisible from other scopes",
  async run(ctx) {
    const supported = new Set<ScopeKind>(Array.isArray(ctx.capabilities.scopes) ? ctx.capabilities.scopes : ["global"]);
    const others = SCOPE_KINDS.filter((kind) => kind !== "global");

    if (ctx.readOnly) {
      const seeded = { name: ctx.name("global-only"), value: ctx.value("global-only") };
      await ctx.put([seeded]);
      for (const kind of others) {
        await expectCofferError(
          `get of a global secret in the ${kind} scope (scopes do not fall back; core does)`,
          () => ctx.provider.get({ name: seeded.name, scope: ctx.scope(kind) }),
          supported.has(kind) ? "NOT_FOUND" : ["NOT_FOUND", "UNSUPPORTED"],
          ctx.secretValues,
        );
      }
      return;
    }

    for (const kind of others) {
      const name = ctx.name(`in-${kind}`);
      const scope = ctx.scope(kind);
      const scoped = ctx.value(kind);
      if (!supported.has(kind)) {
        await expectCofferError(
          `capabilities.scopes lacks ${kind}, so a write to a ${kind} scope must throw UNSUPPORTED`,
          () => ctx.set({ name, scope }, { value: scoped, encoding: "utf-8" }),
          "UNSUPPORTED",
          ctx.secretValues,
        );
        await expectCofferError(
          `get in the global scope after a refused ${kind}-scoped write`,
          () => ctx.provider.get(ctx.address(name)),
          "NOT_FOUND",
          ctx.secretValues,
        );
        await expectCofferError(
          `get in an unsupported ${kind} scope`,
          () => ctx.provider.get({ name, scope }),
          ["NOT_FOUND", "UNSUPPORTED"],
          ctx.secretValues,
        );
        continue;
      }
      await ctx.set({ name, scope }, { value: scoped, encoding: "utf-8" });
      await expectCofferError(
        `get in the global scope of a ${kind}-scoped secret`,
        () => ctx.provider.get(ctx.address(name)),
        "NOT_FOUND",
        ctx.secretValues,
      );
      await expectCofferError(
        `get of a ${kind}-scoped secret under another ${kind} id`,
        () => ctx.provider.get({ name, scope: ctx.scope(kind, "other") }),
        "NOT_FOUND",
        ctx.secretValues,
      );
      expectStoredSecret(
        `get in its ${kind} scope`,
        await ctx.provider.get({ name, scope }),
        { name, scope, value: scoped, version: 1 },
        ctx,
      );

      const global = ctx.value(`global-beside-${kind}`);
      const globalMeta = await ctx.set(ctx.address(name), { value: global, encoding: "utf-8" });
      expectMetadataWithoutValue(
        `set of a global secret named like a ${kind}-scoped one (a separate secret)`,
        globalMeta,
        { name, version: 1 },
        ctx,
      );
      expectStoredSecret(
        `get in the ${kind} scope after a global write`,
        await ctx.provider.get({ name, scope }),
        { name, scope, value: scoped, version: 1 },
        ctx,
      );
      expectStoredSecret(
        `get in the global scope beside a ${kind}-scoped secret`,
        await ctx.provider.get(ctx.address(name)),
        { name, value: global, version: 1 },
        ctx,
      );

      if (ctx.capabilities.list) {
        const inScope = (await listAllPages(ctx, { prefix: name, scope })).items;
        if (inScope.length !== 1 || scopeKey(inScope[0]!.scope) !== scopeKey(scope)) {
          throw new ConformanceViolation(
            `list of the ${kind} scope returned ${describeResult(inScope.map((item) => scopeKey(item.scope)))}, expected just ${scopeKey(scope)}`,
          );
        }
        const inGlobal = (await listAllPages(ctx, { prefix: name, scope: GLOBAL_SCOPE })).items;
        if (inGlobal.length !== 1 || scopeKey(inGlobal[0]!.scope) !== "global") {
          throw new ConformanceViolation(
            `list of the global scope returned ${describeResult(inGlobal.map((item) => scopeKey(item.scope)))}, expected just global`,
          );
        }
      }
    }
  },
};
