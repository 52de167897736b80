import { describe, expect, it } from "vitest";
import { backoffSleep, formatAge, parseRetryAfter, retryDelayMs } from "../src/index.js";

describe("remote: backoff", () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it("draws a full-jitter delay under an exponentially growing, capped ceiling", () => {
    expect(retryDelayMs(policy, 0, undefined, () => 0.999)).toBe(99);
    expect(retryDelayMs(policy, 2, undefined, () => 0.5)).toBe(200);
    expect(retryDelayMs(policy, 10, undefined, () => 0.999)).toBe(999);
    expect(retryDelayMs(policy, 3, undefined, () => 0)).toBe(0);
  });

  it("never waits less than Retry-After asks, up to the cap", () => {
    expect(retryDelayMs(policy, 0, 700, () => 0)).toBe(700);
    expect(retryDelayMs(policy, 0, 60_000, () => 0)).toBe(1_000);
    expect(retryDelayMs({ ...policy, maxRetryAfterMs: 30_000 }, 0, 20_000, () => 0)).toBe(20_000);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(parseRetryAfter("2", now)).toBe(2_000);
    expect(parseRetryAfter(" 0.5 ", now)).toBe(500);
    expect(parseRetryAfter("Tue, 01 Jan 2030 00:00:03 GMT", now)).toBe(3_000);
    expect(parseRetryAfter("Mon, 31 Dec 2029 23:00:00 GMT", now)).toBe(0);
    for (const bad of [undefined, "", "soon", "-1", "1e3"]) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });

  it("sleeps, and wakes at once when aborted", async () => {
    const started = Date.now();
    await backoffSleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const controller = new AbortController();
    const waiting = backoffSleep(10_000, controller.signal);
    controller.abort();
    const abortedAt = Date.now();
    await waiting;
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
  });

  it("formats ages for stale warnings", () => {
    expect(formatAge(400)).toBe("0s");
    expect(formatAge(42_000)).toBe("42s");
    expect(formatAge(3 * 60_000 + 59_000)).toBe("3m");
    expect(formatAge(5 * 3_600_000)).toBe("5h");
    expect(formatAge(3 * 86_400_000)).toBe("3d");
  });
});
