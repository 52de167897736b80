import type { SecretMetadata, SecretVersionInfo } from "@coffer/core";
import type { CaseContext } from "../case-context.js";
import {
  describeResult,
  describeThrown,
  expectCofferError,
  isCofferErrorShaped,
} from "../coffer-error-expectations.js";
import type { CaseSupport, ConformanceCase } from "../conformance-case.js";
import { capabilitySupport } from "../conformance-case.js";
import { ConformanceViolation } from "../conformance-violation.js";
import { expectMetadataWithoutValue, expectStoredSecret, isIsoTimestamp } from "../secret-expectations.js";
import { verifyMethodUnsupported } from "../unsupported-expectations.js";

/** Parallel writers of the concurrency case. */
const CONCURRENT_WRITERS = 8;

/** Write `values` one after another as successive versions of `name`. */
async function writeVersions(ctx: CaseContext, name: string, values: readonly string[]): Promise<SecretMetadata[]> {
  const written: SecretMetadata[] = [];
  for (const value of values) written.push(await ctx.set(ctx.address(name), { value, encoding: "utf-8" }));
  return written;
}

function conditionalSupport(ctx: CaseContext): CaseSupport {
  if (!ctx.capabilities.write) return capabilitySupport(ctx, "write");
  return capabilitySupport(ctx, "conditionalWrite");
}

/** A second write makes version 2 with the new value; the state's creation time stays. */
export const updateCase: ConformanceCase = {
  name: "update",
  title: "an update makes version 2 with the new value",
  support: (ctx) => capabilitySupport(ctx, "write"),
  verifyUnsupported: (ctx) => verifyMethodUnsupported(ctx, "write"),
  async run(ctx) {
    const name = ctx.name("updated");
    const [v1, v2] = [ctx.value("v1"), ctx.value("v2")];
    const [first, second] = await writeVersions(ctx, name, [v1, v2]);
    expectMetadataWithoutValue("set of a new secret", first, { name, version: 1 }, ctx);
    expectMetadataWithoutValue("set of an existing secret", second, { name, version: 2 }, ctx);
    const got = await ctx.provider.get(ctx.address(name));
    expectStoredSecret("get after an update", got, { name, value: v2, version: 2 }, ctx);
    if (Date.parse(got.createdAt) !== Date.parse(first!.createdAt)) {
      throw new ConformanceViolation(
        `get after an update: createdAt changed from ${first!.createdAt} to ${got.createdAt}; it is when the secret was first created`,
      );
    }
    if (Date.parse(got.updatedAt) < Date.parse(got.createdAt)) {
      throw new ConformanceViolation("get after an update: updatedAt is earlier than createdAt");
    }
  },
};

/** A past version is readable by number; a version that never existed is NOT_FOUND. */
export const readVersionCase: ConformanceCase = {
  name: "read-version",
  title: "a past version is readable by number",
  support: (ctx) => capabilitySupport(ctx, "versions"),
  verifyUnsupported: (ctx) => verifyMethodUnsupported(ctx, "versions"),
  async run(ctx) {
    const name = ctx.name("versioned");
    if (ctx.readOnly) {
      const entry = { name, value: ctx.value("seeded") };
      await ctx.put([entry]);
      const current = await ctx.provider.get(ctx.address(name));
      expectStoredSecret("get of a seeded secret", current, entry, ctx);
      expectStoredSecret(
        "get of the current version by number",
        await ctx.provider.get(ctx.address(name), { version: current.version }),
        { ...entry, version: current.version },
        ctx,
      );
      await expectCofferError(
        "get of a version after the current one",
        () => ctx.provider.get(ctx.address(name), { version: current.version + 1 }),
        "NOT_FOUND",
        ctx.secretValues,
      );
      return;
    }
    const values = [ctx.value("v1"), ctx.value("v2"), ctx.value("v3")];
    await writeVersions(ctx, name, values);
    for (const [i, value] of values.entries()) {
      expectStoredSecret(
        `get of version ${i + 1}`,
        await ctx.provider.get(ctx.address(name), { version: i + 1 }),
        { name, value, version: i + 1 },
        ctx,
      );
    }
    expectStoredSecret(
      "get without a version after reading past ones",
      await ctx.provider.get(ctx.address(name)),
      { name, value: values[2]!, version: 3 },
      ctx,
    );
    await expectCofferError(
      "get of version 4 when 3 versions exist",
      () => ctx.provider.get(ctx.address(name), { version: 4 }),
      "NOT_FOUND",
      ctx.secretValues,
    );
  },
};

function expectHistory(
  what: string,
  history: unknown,
  expectedVersions: number[],
): asserts history is SecretVersionInfo[] {
  if (!Array.isArray(history))
    throw new ConformanceViolation(`${what}: returned ${describeResult(history)}, expected an array`);
  const versions = history.map((entry: SecretVersionInfo) => entry?.version);
  if (JSON.stringify(versions) !== JSON.stringify(expectedVersions)) {
    throw new ConformanceViolation(
      `${what}: versions are ${JSON.stringify(versions)}, expected ${JSON.stringify(expectedVersions)} (newest first)`,
    );
  }
  history.forEach((entry: SecretVersionInfo, i) => {
    if (entry.current !== (i === 0)) {
      throw new ConformanceViolation(
        `${what}: version ${entry.version} has current ${describeResult(entry.current)}; only the newest is current`,
      );
    }
    if (!isIsoTimestamp(entry.createdAt)) {
      throw new ConformanceViolation(
        `${what}: version ${entry.version} has createdAt ${describeResult(entry.createdAt)}`,
      );
    }
    if ("value" in entry) throw new ConformanceViolation(`${what}: a history entry carries a value field`);
  });
}

/** History lists versions newest first, only the newest marked current. */
export const historyCase: ConformanceCase = {
  name: "history",
  title: "history lists versions newest first with current",
  support: (ctx) => capabilitySupport(ctx, "versions"),
  verifyUnsupported: (ctx) => verifyMethodUnsupported(ctx, "versions"),
  async run(ctx) {
    const history = ctx.provider.history;
    if (typeof history !== "function") {
      throw new ConformanceViolation("capabilities.versions is true but provider.history is missing");
    }
    const name = ctx.name("history");
    if (ctx.readOnly) {
      await ctx.put([{ name, value: ctx.value("seeded") }]);
      const current = await ctx.provider.get(ctx.address(name));
      const entries = await history.call(ctx.provider, ctx.address(name));
      if (!Array.isArray(entries) || entries.length === 0) {
        throw new ConformanceViolation(`history of a seeded secret returned ${describeResult(entries)}`);
      }
      expectHistory("history of a seeded secret", entries.slice(0, 1), [current.version]);
    } else {
      await writeVersions(ctx, name, [ctx.value("v1"), ctx.value("v2"), ctx.value("v3")]);
      expectHistory("history after three writes", await history.call(ctx.provider, ctx.address(name)), [3, 2, 1]);
    }
    await expectCofferError(
      "history of a missing secret",
      () => history.call(ctx.provider, ctx.address(ctx.name("missing"))),
      "NOT_FOUND",
      ctx.secretValues,
    );
  },
};

/** `ifVersion` and `mode: "create"` are enforced and a refused write changes nothing. */
export const conditionalWriteCase: ConformanceCase = {
  name: "conditional-write",
  title: "ifVersion mismatches are CONFLICT, create on existing is ALREADY_EXISTS",
  support: conditionalSupport,
  async run(ctx) {
    const name = ctx.name("conditional");
    const address = ctx.address(name);
    const v1 = ctx.value("v1");
    await ctx.set(address, { value: v1, encoding: "utf-8" });
    const unchanged = async (after: string) =>
      expectStoredSecret(`get after ${after}`, await ctx.provider.get(address), { name, value: v1, version: 1 }, ctx);

    const refused = ctx.value("refused");
    const conflict = await expectCofferError(
      "set with ifVersion 2 when the current version is 1",
      () => ctx.set(address, { value: refused, encoding: "utf-8" }, { ifVersion: 2 }),
      "CONFLICT",
      ctx.secretValues,
    );
    if (conflict.details.currentVersion !== undefined && conflict.details.currentVersion !== 1) {
      throw new ConformanceViolation(
        `the CONFLICT error reports currentVersion ${describeResult(conflict.details.currentVersion)}, but it is 1`,
      );
    }
    await unchanged("a refused ifVersion write");
    await expectCofferError(
      "set with ifVersion 0 on an existing secret",
      () => ctx.set(address, { value: refused, encoding: "utf-8" }, { ifVersion: 0 }),
      "CONFLICT",
      ctx.secretValues,
    );
    await unchanged("a refused ifVersion 0 write");
    await expectCofferError(
      'set with mode "create" on an existing secret',
      () => ctx.set(address, { value: refused, encoding: "utf-8" }, { mode: "create" }),
      "ALREADY_EXISTS",
      ctx.secretValues,
    );
    await unchanged('a refused mode "create" write');

    const v2 = ctx.value("v2");
    const accepted = await ctx.set(address, { value: v2, encoding: "utf-8" }, { ifVersion: 1 });
    expectMetadataWithoutValue("set with the matching ifVersion 1", accepted, { name, version: 2 }, ctx);
    expectStoredSecret(
      "get after a matching ifVersion write",
      await ctx.provider.get(address),
      { name, value: v2, version: 2 },
      ctx,
    );

    const created = ctx.name("created");
    const createdMeta = await ctx.set(
      ctx.address(created),
      { value: ctx.value("created"), encoding: "utf-8" },
      { mode: "create" },
    );
    expectMetadataWithoutValue(
      'set with mode "create" of a new secret',
      createdMeta,
      { name: created, version: 1 },
      ctx,
    );
    const fresh = ctx.name("if-version-0");
    const freshMeta = await ctx.set(
      ctx.address(fresh),
      { value: ctx.value("fresh"), encoding: "utf-8" },
      { ifVersion: 0 },
    );
    expectMetadataWithoutValue("set with ifVersion 0 of a new secret", freshMeta, { name: fresh, version: 1 }, ctx);

    const absent = ctx.name("absent");
    await expectCofferError(
      "set with ifVersion 1 of a secret that does not exist",
      () => ctx.set(ctx.address(absent), { value: ctx.value("absent"), encoding: "utf-8" }, { ifVersion: 1 }),
      "CONFLICT",
      ctx.secretValues,
    );
    await expectCofferError(
      "get after a refused ifVersion write of a new secret",
      () => ctx.provider.get(ctx.address(absent)),
      "NOT_FOUND",
      ctx.secretValues,
    );
  },
};

/** Parallel writers that all read version v and write with ifVersion v: exactly one wins. */
export const concurrencyCase: ConformanceCase = {
  name: "concurrency",
  title: `${CONCURRENT_WRITERS} parallel ifVersion writers: exactly one wins, the rest CONFLICT`,
  timeoutFactor: 2,
  support: conditionalSupport,
  async run(ctx) {
    const name = ctx.name("contended");
    const address = ctx.address(name);
    await ctx.set(address, { value: ctx.value("initial"), encoding: "utf-8" });
    const reads = await Promise.all(Array.from({ length: CONCURRENT_WRITERS }, () => ctx.provider.get(address)));
    const values = reads.map((_, i) => ctx.value(`writer-${i}`));
    const outcomes = await Promise.allSettled(
      reads.map((read, i) => ctx.set(address, { value: values[i]!, encoding: "utf-8" }, { ifVersion: read.version })),
    );
    const winners = outcomes.flatMap((outcome, i) => (outcome.status === "fulfilled" ? [i] : []));
    if (winners.length !== 1) {
      throw new ConformanceViolation(
        `${winners.length} of ${CONCURRENT_WRITERS} parallel writers with ifVersion 1 succeeded; exactly one must win (lost updates otherwise)`,
      );
    }
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") {
        const err = outcome.reason;
        if (!isCofferErrorShaped(err) || err.code !== "CONFLICT") {
          throw new ConformanceViolation(
            `a losing parallel writer failed with ${describeThrown(err)}, expected CONFLICT`,
          );
        }
      }
    }
    const winner = winners[0]!;
    expectStoredSecret(
      "get after the parallel writes",
      await ctx.provider.get(address),
      { name, value: values[winner]!, version: 2 },
      ctx,
    );
  },
};
