import { randomBytes } from "node:crypto";
import type { SecretAttributes, SecretMetadata } from "@coffer/core";
import type { CaseContext } from "../case-context.js";
import { describeResult, expectCofferError, isCofferErrorShaped } from "../coffer-error-expectations.js";
import type { CaseSupport, ConformanceCase } from "../conformance-case.js";
import { capabilitySupport } from "../conformance-case.js";
import { ConformanceViolation } from "../conformance-violation.js";
import { listAllPages } from "../listing.js";
import { expectStoredSecret } from "../secret-expectations.js";

function writableAnd(ctx: CaseContext, flag: "metadata" | "binary"): CaseSupport {
  if (!ctx.capabilities.write) return capabilitySupport(ctx, "write");
  return capabilitySupport(ctx, flag);
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());
}

/** Compare every attribute of `expected` with `actual` (tags and agent ids as sets, times as instants). */
function expectAttributes(what: string, actual: SecretMetadata, expected: SecretAttributes): void {
  const wrong = (field: string) =>
    new ConformanceViolation(
      `${what}: ${field} is ${describeResult(actual[field as keyof SecretMetadata])}, expected ${describeResult(expected[field as keyof SecretAttributes])}`,
    );
  if (actual.description !== expected.description) throw wrong("description");
  if (!sameList(actual.tags, expected.tags)) throw wrong("tags");
  if (actual.ttlSeconds !== expected.ttlSeconds) throw wrong("ttlSeconds");
  if (
    expected.expiresAt === undefined
      ? actual.expiresAt !== undefined
      : Date.parse(actual.expiresAt ?? "") !== Date.parse(expected.expiresAt)
  ) {
    throw wrong("expiresAt");
  }
  if (actual.rotationFormat !== expected.rotationFormat) throw wrong("rotationFormat");
  if (actual.rotationPrefix !== expected.rotationPrefix) throw wrong("rotationPrefix");
  if (!sameList(actual.allowedAgentIds, expected.allowedAgentIds)) throw wrong("allowedAgentIds");
  if ((actual.writeOnly ?? false) !== (expected.writeOnly ?? false)) throw wrong("writeOnly");
}

/** Description, tags, decay, expiry, rotation hints, agent allowlist and write-only flag round-trip. */
export const metadataCase: ConformanceCase = {
  name: "metadata",
  title: "metadata round-trips through set, get and list",
  support: (ctx) => writableAnd(ctx, "metadata"),
  async run(ctx) {
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 86_400_000).toISOString();
    const attributes: SecretAttributes = {
      description: 'conformance secret: ünïcødé ✓, commas, "quotes"',
      tags: ["alpha", "beta-2", "payments"],
      ttlSeconds: 3600,
      expiresAt,
      rotationFormat: "api-key",
      rotationPrefix: "sk_test_",
      allowedAgentIds: ["agent-research", "agent-builder"],
      writeOnly: false,
    };
    const name = ctx.name("described");
    const value = ctx.value("described");
    const written = await ctx.set(ctx.address(name), { value, encoding: "utf-8", ...attributes });
    expectAttributes("set result", written, attributes);
    const got = await ctx.provider.get(ctx.address(name));
    expectStoredSecret("get of a secret with metadata", got, { name, value, version: 1 }, ctx);
    expectAttributes("get of a secret with metadata", got, attributes);
    if (ctx.capabilities.list) {
      const item = (await listAllPages(ctx, { prefix: name })).items.find((entry) => entry.name === name);
      if (!item) throw new ConformanceViolation("list does not show a secret written with metadata");
      expectAttributes("list item of a secret with metadata", item, attributes);
    }

    const hidden = ctx.name("write-only");
    const hiddenAttributes: SecretAttributes = { writeOnly: true, tags: ["injected"] };
    await ctx.set(ctx.address(hidden), { value: ctx.value("write-only"), encoding: "utf-8", ...hiddenAttributes });
    expectAttributes("get of a write-only secret", await ctx.provider.get(ctx.address(hidden)), hiddenAttributes);
  },
};

/** Base64 values come back as the same bytes with encoding base64. */
export const binaryCase: ConformanceCase = {
  name: "binary",
  title: "base64 values round-trip byte-exact",
  support: (ctx) => writableAnd(ctx, "binary"),
  async run(ctx) {
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(256)]);
    const name = ctx.name("binary");
    await ctx.set(ctx.address(name), { value: ctx.remember(bytes.toString("base64")), encoding: "base64" });
    const got = await ctx.provider.get(ctx.address(name));
    expectStoredSecret("get of a binary value", got, { name, version: 1, encoding: "base64" }, ctx);
    if (!Buffer.from(got.value, "base64").equals(bytes)) {
      throw new ConformanceViolation("get of a binary value: the bytes differ from what was stored");
    }
  },
  async verifyUnsupported(ctx) {
    if (!ctx.capabilities.write) return "nothing-to-check";
    const name = ctx.name("binary-unsupported");
    const value = ctx.remember(randomBytes(48).toString("base64"));
    try {
      await ctx.set(ctx.address(name), { value, encoding: "base64" });
    } catch (err) {
      if (isCofferErrorShaped(err) && err.code === "UNSUPPORTED") {
        await expectCofferError(
          "get after a refused base64 write",
          () => ctx.provider.get(ctx.address(name)),
          "NOT_FOUND",
        );
        return "verified";
      }
      throw err;
    }
    expectStoredSecret(
      "capabilities.binary is false, so a base64 write must be refused with UNSUPPORTED or kept as the same base64 text",
      await ctx.provider.get(ctx.address(name)),
      { name, value, encoding: "base64" },
      ctx,
    );
    return "verified";
  },
};
