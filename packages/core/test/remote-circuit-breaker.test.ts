import { describe, expect, it } from "vitest";
import { CircuitBreaker, CofferError } from "../src/index.js";

function breaker(failureThreshold: number, cooldownMs: number) {
  const clock = { now: 1_000 };
  const b = new CircuitBreaker({
    provider: "aws-prod",
    service: "AWS Secrets Manager",
    failureThreshold,
    cooldownMs,
    hint: "check the network",
    now: () => clock.now,
  });
  return { b, clock };
}

const unavailable = () => Promise.reject(new CofferError("UNAVAILABLE", "down"));

async function codeOf(p: Promise<unknown>): Promise<CofferError> {
  try {
    await p;
  } catch (err) {
    return err as CofferError;
  }
  throw new Error("expected a failure");
}

describe("remote: circuit breaker", () => {
  it("opens after the threshold of consecutive UNAVAILABLE calls and fails fast without calling", async () => {
    const { b } = breaker(3, 30_000);
    for (let i = 0; i < 3; i++) expect((await codeOf(b.run(unavailable))).message).toBe("down");
    expect(b.isOpen).toBe(true);
    let called = false;
    const fast = await codeOf(
      b.run(async () => {
        called = true;
      }),
    );
    expect(called).toBe(false);
    expect(fast.code).toBe("UNAVAILABLE");
    expect(fast.message).toBe(
      "aws-prod: AWS Secrets Manager failed 3 calls in a row; failing fast, not trying again for 30 s",
    );
    expect(fast.details).toEqual({
      provider: "aws-prod",
      rule: "circuit-breaker",
      retryAfterMs: 30_000,
      retryAfterSeconds: 30,
      hint: "check the network",
    });
  });

  it("lets calls through after the cool-down: a success closes it, a failure re-opens it at once", async () => {
    const { b, clock } = breaker(2, 1_000);
    await codeOf(b.run(unavailable));
    await codeOf(b.run(unavailable));
    expect(b.remainingOpenMs()).toBe(1_000);
    clock.now += 1_000;
    expect(b.isOpen).toBe(false);
    await codeOf(b.run(unavailable)); // half-open probe fails
    expect(b.isOpen).toBe(true);
    clock.now += 1_000;
    expect(await b.run(async () => "ok")).toBe("ok");
    expect(b.consecutiveFailures()).toBe(0);
    await codeOf(b.run(unavailable)); // one failure after a success does not open it
    expect(b.isOpen).toBe(false);
  });

  it("counts answers of the service (NOT_FOUND, PERMISSION_DENIED) as successes, and bugs as nothing", async () => {
    const { b } = breaker(2, 1_000);
    await codeOf(b.run(unavailable));
    await codeOf(b.run(() => Promise.reject(new CofferError("NOT_FOUND", "missing"))));
    expect(b.consecutiveFailures()).toBe(0);
    await codeOf(b.run(unavailable));
    await codeOf(b.run(() => Promise.reject(new TypeError("bug"))));
    await codeOf(b.run(() => Promise.reject(new CofferError("INTERNAL", "bug"))));
    expect(b.consecutiveFailures()).toBe(1);
    await codeOf(b.run(() => Promise.reject(new CofferError("PERMISSION_DENIED", "no"))));
    expect(b.consecutiveFailures()).toBe(0);
  });

  it("never opens with a threshold of 0", async () => {
    const { b } = breaker(0, 1_000);
    for (let i = 0; i < 10; i++) await codeOf(b.run(unavailable));
    expect(b.isOpen).toBe(false);
    expect(await b.run(async () => 1)).toBe(1);
  });

  it("supports explicit recording around a caller's own retry loop", () => {
    const { b } = breaker(1, 500);
    b.assertClosed();
    b.recordFailure();
    expect(() => b.assertClosed()).toThrowError(/failing fast/);
    b.recordSuccess();
    expect(() => b.assertClosed()).not.toThrow();
  });
});
