import { afterEach, describe, expect, it } from "vitest";
import {
  CofferError,
  checkNumericInput,
  NUMERIC_RANGES,
  parseDuration,
  parseExpiry,
  parseNumericInput,
  parseTimestamp,
  validateAgentId,
} from "../src/index.js";
import { cleanup, governedCoffer, rejection } from "./governance-support.js";

afterEach(cleanup);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CofferError ? err.code : "not a CofferError";
  }
  return undefined;
}

describe("numeric ranges", () => {
  it("accepts the bounds and refuses what lies outside, non-integers and non-numbers", () => {
    for (const range of Object.values(NUMERIC_RANGES)) {
      expect(checkNumericInput(range, range.min, "x")).toBe(range.min);
      expect(checkNumericInput(range, range.max, "x")).toBe(range.max);
      for (const bad of [range.min - 1, range.max + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "5", null]) {
        expect(codeOf(() => checkNumericInput(range, bad, "x"))).toBe("INVALID_ARGUMENT");
      }
    }
    expect(parseNumericInput(NUMERIC_RANGES.listLimit, " 50 ", "limit")).toBe(50);
    expect(codeOf(() => parseNumericInput(NUMERIC_RANGES.listLimit, "5e2", "limit"))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => parseNumericInput(NUMERIC_RANGES.listLimit, "-1", "limit"))).toBe("INVALID_ARGUMENT");
  });

  it("rotate refuses a grace of 9000000000000 seconds with INVALID_ARGUMENT and writes nothing", async () => {
    const { coffer } = await governedCoffer();
    await coffer.set("ranged", "ranged-value-1");
    const err = await rejection(coffer.rotate("ranged", { graceSeconds: 9_000_000_000_000 }));
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.details.field).toBe("graceSeconds");
    expect((await coffer.get("ranged", { reveal: true, purpose: "check" })).version).toBe(1);
    await expect(coffer.rotate("ranged", { graceSeconds: NUMERIC_RANGES.graceSeconds.max })).resolves.toBeDefined();
  });

  it("refuses a ttl beyond ten years", async () => {
    const { coffer } = await governedCoffer();
    const err = await rejection(coffer.set("ranged", "v", { ttlSeconds: 9_000_000_000_000 }));
    expect(err.code).toBe("INVALID_ARGUMENT");
  });
});

describe("durations and dates", () => {
  it("parses durations within a range", () => {
    expect(parseDuration("30d", "--ttl", NUMERIC_RANGES.ttlSeconds)).toBe(30 * 86400);
    expect(parseDuration("90", "--ttl", NUMERIC_RANGES.ttlSeconds)).toBe(90);
    expect(codeOf(() => parseDuration("99999999999d", "--ttl", NUMERIC_RANGES.ttlSeconds))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => parseDuration("soon", "--ttl", NUMERIC_RANGES.ttlSeconds))).toBe("INVALID_ARGUMENT");
  });

  it("reads a bare date as the start of that day, UTC, and refuses impossible dates", () => {
    expect(parseTimestamp("2026-12-31")).toBe("2026-12-31T00:00:00.000Z");
    expect(parseTimestamp("2026-12-31T12:00:00+02:00")).toBe("2026-12-31T10:00:00.000Z");
    expect(parseTimestamp("2026-02-30")).toBeUndefined();
    expect(parseTimestamp("2026-12-31T12:00:00")).toBeUndefined();
    const now = new Date("2026-01-01T00:00:00Z");
    expect(parseExpiry("2026-12-31", "--expires", NUMERIC_RANGES.expiresInSeconds, now)).toBe(
      "2026-12-31T00:00:00.000Z",
    );
    expect(parseExpiry("1d", "--expires", NUMERIC_RANGES.expiresInSeconds, now)).toBe("2026-01-02T00:00:00.000Z");
  });

  it("the service reads expiresAt with the same rule", async () => {
    const { coffer } = await governedCoffer();
    await coffer.set("dated", "v", { expiresAt: "2099-12-31" });
    expect((await coffer.get("dated")).expiresAt).toBe("2099-12-31T00:00:00.000Z");
  });

  it("a write whose hard expiry is already past stands but is flagged alreadyExpired (warn, not refuse)", async () => {
    const { coffer } = await governedCoffer();
    const past = await coffer.set("born-expired", "v", { expiresAt: "2020-01-01" });
    expect(past.alreadyExpired).toBe(true);
    expect((await coffer.get("born-expired", { allowExpired: true })).version).toBe(1);
    await expect(coffer.get("born-expired")).rejects.toMatchObject({ code: "EXPIRED" });
    // A later write that keeps the past expiry (attributes merge) is flagged again.
    expect((await coffer.set("born-expired", "v2")).alreadyExpired).toBe(true);
    expect((await coffer.set("dated-future", "v", { expiresAt: "2099-12-31" })).alreadyExpired).toBeUndefined();
    expect((await coffer.set("undated", "v")).alreadyExpired).toBeUndefined();
  });
});

describe("agent ids", () => {
  it("has one rule", () => {
    expect(validateAgentId("claude-1")).toBe("claude-1");
    expect(codeOf(() => validateAgentId("-bad"))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => validateAgentId("x".repeat(129)))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => validateAgentId("bad id", "agentId", "CONFIG"))).toBe("CONFIG");
  });
});
