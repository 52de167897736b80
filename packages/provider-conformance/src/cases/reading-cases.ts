import { randomBytes } from "node:crypto";
import { MAX_VALUE_BYTES, type SecretAddress } from "@coffer/core";
import { describeResult, expectCofferError, isCofferErrorShaped } from "../coffer-error-expectations.js";
import type { ConformanceCase } from "../conformance-case.js";
import { supportedWhen } from "../conformance-case.js";
import { ConformanceViolation } from "../conformance-violation.js";
import { expectMetadataWithoutValue, expectStoredSecret } from "../secret-expectations.js";

/** A missing secret is NOT_FOUND, and nothing else. */
export const getMissingCase: ConformanceCase = {
  name: "get-missing",
  title: "a missing secret is NOT_FOUND",
  async run(ctx) {
    const missing = ctx.name("missing");
    await expectCofferError("get of a missing secret", () => ctx.provider.get(ctx.address(missing)), "NOT_FOUND");
    await expectCofferError(
      "get of version 1 of a missing secret",
      () => ctx.provider.get(ctx.address(missing), { version: 1 }),
      "NOT_FOUND",
    );
    const present = { name: ctx.name("present"), value: ctx.value("present") };
    await ctx.put([present]);
    for (const near of [`${present.name}0`, present.name.slice(0, -1)]) {
      await expectCofferError(
        `get of ${JSON.stringify(near)}, a name that only shares a prefix with an existing secret`,
        () => ctx.provider.get(ctx.address(near)),
        "NOT_FOUND",
        ctx.secretValues,
      );
    }
  },
};

/** A stored secret reads back with its value, version, encoding and provider name. */
export const getCurrentCase: ConformanceCase = {
  name: "get-current",
  title: "set then get returns the value, version 1, encoding and provider name",
  async run(ctx) {
    const plain = { name: ctx.name("plain"), value: ctx.value("plain") };
    const tricky = {
      name: ctx.name("tricky"),
      value: ctx.remember(`ünïcødé ✓ 🔑\nsecond line\twith = and "quotes" ${randomBytes(6).toString("hex")}`),
    };
    if (ctx.readOnly) {
      await ctx.put([plain, tricky]);
      for (const entry of [plain, tricky]) {
        expectStoredSecret("get of a seeded secret", await ctx.provider.get(ctx.address(entry.name)), entry, ctx);
      }
      return;
    }
    const meta = await ctx.set(ctx.address(plain.name), { value: plain.value, encoding: "utf-8" });
    expectMetadataWithoutValue("set of a new secret", meta, { name: plain.name, version: 1 }, ctx);
    expectStoredSecret("get after set", await ctx.provider.get(ctx.address(plain.name)), { ...plain, version: 1 }, ctx);

    await ctx.set(ctx.address(tricky.name), { value: tricky.value });
    expectStoredSecret(
      "get of a multi-line unicode value written without an explicit encoding",
      await ctx.provider.get(ctx.address(tricky.name)),
      { ...tricky, version: 1, encoding: "utf-8" },
      ctx,
    );

    const nested = { name: `${ctx.name("path")}/nested.dir-x/leaf_name`, value: ctx.value("nested") };
    await ctx.set(ctx.address(nested.name), { value: nested.value, encoding: "utf-8" });
    expectStoredSecret(
      "get of a name with /, . and -",
      await ctx.provider.get(ctx.address(nested.name)),
      { ...nested, version: 1 },
      ctx,
    );
  },
};

/** `getMany` returns one result per address, in order, mixing hits and NOT_FOUND misses. */
export const getManyCase: ConformanceCase = {
  name: "get-many",
  title: "getMany results align with the addresses, hits and misses mixed",
  support: (ctx) =>
    supportedWhen(
      typeof ctx.provider.getMany === "function",
      "provider.getMany is present",
      "provider.getMany is absent",
    ),
  async run(ctx) {
    const a = { name: ctx.name("a"), value: ctx.value("a") };
    const b = { name: ctx.name("b"), value: ctx.value("b") };
    await ctx.put([a, b]);
    const addresses: SecretAddress[] = [
      ctx.address(a.name),
      ctx.address(ctx.name("missing")),
      ctx.address(b.name),
      ctx.address(a.name),
    ];
    if (ctx.capabilities.envs) addresses.push(ctx.address(a.name, { env: "no-such-env" }));
    const expectedHits = [a, undefined, b, a, undefined];

    const empty = await ctx.provider.getMany!([]);
    if (!Array.isArray(empty) || empty.length !== 0) {
      throw new ConformanceViolation(`getMany([]) returned ${describeResult(empty)}, expected []`);
    }
    const results = await ctx.provider.getMany!(addresses);
    if (!Array.isArray(results) || results.length !== addresses.length) {
      throw new ConformanceViolation(
        `getMany of ${addresses.length} addresses returned ${Array.isArray(results) ? results.length : describeResult(results)} results`,
      );
    }
    results.forEach((result, i) => {
      const hit = expectedHits[i];
      const where = `getMany result ${i} (${hit ? "present" : "missing"} secret)`;
      if (hit) {
        if (result?.ok !== true) {
          throw new ConformanceViolation(`${where}: expected ok, got ${describeResult(result)}`);
        }
        expectStoredSecret(where, result.secret, hit, ctx);
      } else {
        if (result?.ok !== false || !isCofferErrorShaped(result.error) || result.error.code !== "NOT_FOUND") {
          throw new ConformanceViolation(
            `${where}: expected { ok: false, error: NOT_FOUND }, got ${describeResult(result)}`,
          );
        }
      }
    });
  },
};

/** Random printable ASCII text of exactly `bytes` bytes. */
function asciiText(bytes: number): string {
  return randomBytes(Math.ceil((bytes * 3) / 4))
    .toString("base64")
    .slice(0, bytes);
}

/** A value of exactly 64 KiB round-trips byte-exact. */
export const largeValueCase: ConformanceCase = {
  name: "large-value",
  title: "a 64 KiB value round-trips byte-exact",
  timeoutFactor: 2,
  async run(ctx) {
    const text = { name: ctx.name("large-text"), value: ctx.remember(asciiText(MAX_VALUE_BYTES)) };
    await ctx.put([text]);
    expectStoredSecret("get of a 64 KiB text value", await ctx.provider.get(ctx.address(text.name)), text, ctx);
    if (ctx.readOnly) return;

    const wide = { name: ctx.name("large-utf8"), value: ctx.remember("é".repeat(MAX_VALUE_BYTES / 2)) };
    if (Buffer.byteLength(wide.value, "utf8") !== MAX_VALUE_BYTES) throw new Error("bad fixture");
    await ctx.set(ctx.address(wide.name), { value: wide.value, encoding: "utf-8" });
    expectStoredSecret(
      "get of a 64 KiB value of two-byte characters",
      await ctx.provider.get(ctx.address(wide.name)),
      wide,
      ctx,
    );

    if (!ctx.capabilities.binary) return;
    const bytes = randomBytes(MAX_VALUE_BYTES);
    const binary = { name: ctx.name("large-binary"), value: ctx.remember(bytes.toString("base64")) };
    await ctx.set(ctx.address(binary.name), { value: binary.value, encoding: "base64" });
    const got = await ctx.provider.get(ctx.address(binary.name));
    expectStoredSecret("get of a 64 KiB binary value", got, { name: binary.name, encoding: "base64" }, ctx);
    if (!Buffer.from(got.value, "base64").equals(bytes)) {
      throw new ConformanceViolation("get of a 64 KiB binary value: the bytes differ from what was stored");
    }
  },
  async verifySkipped(ctx) {
    const value = ctx.remember(asciiText(MAX_VALUE_BYTES));
    const name = ctx.name("large-skipped");
    if (ctx.readOnly) {
      await ctx.put([{ name, value }]);
      await expectCofferError(
        "large-value is skipped, so get of a seeded 64 KiB value must fail with TOO_LARGE",
        () => ctx.provider.get(ctx.address(name)),
        "TOO_LARGE",
        ctx.secretValues,
      );
      return;
    }
    await expectCofferError(
      "large-value is skipped, so a 64 KiB write must fail with TOO_LARGE (never store a truncated value)",
      () => ctx.set(ctx.address(name), { value, encoding: "utf-8" }),
      "TOO_LARGE",
      ctx.secretValues,
    );
    await expectCofferError(
      "get after a rejected 64 KiB write",
      () => ctx.provider.get(ctx.address(name)),
      "NOT_FOUND",
      ctx.secretValues,
    );
  },
};
