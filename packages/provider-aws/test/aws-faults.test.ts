import { CofferError } from "@coffer/core";
import { awsErrorAnswer, type FaultProxy, startFaultProxy } from "@coffer/test-emulators";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AwsSecretsManagerProvider } from "../src/index.js";
import { MOTO_SKIP_REASON, type MotoServer, startMoto, testProvider, uniquePrefix } from "./aws-test-setup.js";

const GLOBAL = { kind: "global" } as const;
const VALUE = "s3cr3t-value-that-must-never-leak";

async function failure(promise: Promise<unknown>): Promise<CofferError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(CofferError);
    const e = err as CofferError;
    expect(e.message).not.toContain(VALUE);
    expect(JSON.stringify(e.toJSON())).not.toContain(VALUE);
    return e;
  }
  throw new Error("expected the call to fail");
}

// The faults below (throttling, 5xx, 403, hangs, resets) cannot be produced by moto itself, so a
// proxy in front of the real moto injects them; everything else is moto's real behaviour.
describe.skipIf(MOTO_SKIP_REASON !== undefined)(
  "aws-secrets-manager under injected faults (proxy in front of moto)",
  () => {
    let moto: MotoServer;
    let proxy: FaultProxy;
    let prefix: string;
    let seed: AwsSecretsManagerProvider;
    const address = { name: "FAULTY", scope: GLOBAL };

    beforeAll(async () => {
      moto = await startMoto();
      proxy = await startFaultProxy(moto.endpoint);
      prefix = uniquePrefix("faults");
      seed = testProvider(moto.endpoint, { prefix });
      await seed.set(address, { value: VALUE });
    });
    afterEach(() => {
      proxy.clearFaults();
      proxy.clearRequests();
    });
    afterAll(async () => {
      await seed?.dispose();
      await proxy?.close();
      await moto?.stop();
    });

    function provider(options: Parameters<typeof testProvider>[1] = {}): AwsSecretsManagerProvider {
      return testProvider(proxy.url, { prefix, cacheTtlSeconds: 0, ...options });
    }

    it("retries throttling and 5xx answers, then succeeds", async () => {
      const p = provider({ maxRetries: 3 });
      proxy.inject({ operation: "GetSecretValue", ...awsErrorAnswer("ThrottlingException", 400) }, 2);
      proxy.inject(
        {
          operation: "GetSecretValue",
          status: 503,
          body: "<html>Service Unavailable</html>",
          headers: { "content-type": "text/html" },
        },
        1,
      );
      expect((await p.get(address)).value).toBe(VALUE);
      expect(proxy.count({ operation: "GetSecretValue" })).toBe(4);
    });

    it("retries a dropped connection", async () => {
      const p = provider({ maxRetries: 2 });
      proxy.inject({ operation: "DescribeSecret", reset: true }, 1);
      expect((await p.get(address)).value).toBe(VALUE);
      expect(proxy.count({ operation: "DescribeSecret" })).toBe(2);
    });

    it("gives up with UNAVAILABLE after maxRetries, never NOT_FOUND", async () => {
      const p = provider({ maxRetries: 2 });
      proxy.inject({ operation: "GetSecretValue", ...awsErrorAnswer("InternalServiceError", 500) }, 10);
      const e = await failure(p.get(address));
      expect(e.code).toBe("UNAVAILABLE");
      expect(e.message).toMatch(/GetSecretValue for "FAULTY" failed: InternalServiceError, HTTP 500 after 3 attempts/);
      expect(proxy.count({ operation: "GetSecretValue" })).toBe(3);
    });

    it("waits as long as Retry-After asks", async () => {
      const p = provider({ maxRetries: 1, retryBaseDelayMs: 1 });
      proxy.inject(
        {
          operation: "GetSecretValue",
          ...awsErrorAnswer("TooManyRequestsException", 429, { "Retry-After": "1" }),
        },
        1,
      );
      const started = Date.now();
      expect((await p.get(address)).value).toBe(VALUE);
      const calls = proxy.requests.filter((r) => r.operation === "GetSecretValue");
      expect(calls).toHaveLength(2);
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    });

    it("times out a hanging call per attempt and retries it", async () => {
      const p = provider({ maxRetries: 1, timeoutMs: 300 });
      proxy.inject({ operation: "GetSecretValue", delayMs: 1_500, status: 200, body: "{}" }, 1);
      const started = Date.now();
      expect((await p.get(address)).value).toBe(VALUE);
      expect(Date.now() - started).toBeLessThan(1_400);

      const hopeless = provider({ maxRetries: 1, timeoutMs: 200 });
      proxy.inject({ operation: "DescribeSecret", delayMs: 1_000, status: 200, body: "{}" }, 2);
      const e = await failure(hopeless.get(address));
      expect(e.code).toBe("UNAVAILABLE");
      expect(e.message).toMatch(/timed out after 200 ms \(2 attempts\)/);
    });

    it("reports access denied as PERMISSION_DENIED at once (no retries, never a miss)", async () => {
      const p = provider({ maxRetries: 3 });
      proxy.inject({ operation: "GetSecretValue", ...awsErrorAnswer("AccessDeniedException", 403) }, 1);
      const e = await failure(p.get(address));
      expect(e.code).toBe("PERMISSION_DENIED");
      expect(e.details.hint).toMatch(/secretsmanager:GetSecretValue/);
      expect(proxy.count({ operation: "GetSecretValue" })).toBe(1);

      for (const awsError of ["UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException"]) {
        proxy.inject({ operation: "DescribeSecret", ...awsErrorAnswer(awsError, 400) }, 1);
        expect((await failure(p.get(address))).code).toBe("PERMISSION_DENIED");
      }

      proxy.inject({ operation: "BatchGetSecretValue", ...awsErrorAnswer("AccessDeniedException", 403) }, 1);
      const [result] = await p.getMany([address]);
      expect(result?.ok).toBe(false);
      if (result && !result.ok) expect(result.error.code).toBe("PERMISSION_DENIED");

      proxy.inject({ operation: "ListSecrets", ...awsErrorAnswer("AccessDeniedException", 403) }, 1);
      const health = await p.health();
      expect(health.ok).toBe(false);
      expect(health.message).toMatch(/access denied/);
    });

    it("never puts a value in an error of a failed write", async () => {
      const p = provider({ maxRetries: 0 });
      proxy.inject({ operation: "PutSecretValue", ...awsErrorAnswer("InternalServiceError", 500) }, 1);
      const e = await failure(p.set(address, { value: VALUE }));
      expect(e.code).toBe("UNAVAILABLE");
      expect((await seed.get(address)).version).toBe(1);
    });

    it("opens the circuit after consecutive UNAVAILABLE calls, fails fast, and closes after the cool-down", async () => {
      const p = provider({ maxRetries: 0, circuitBreakerThreshold: 3, circuitBreakerCooldownMs: 800 });
      proxy.inject({ operation: "ListSecrets", ...awsErrorAnswer("ServiceUnavailable", 503) }, 3);
      for (let i = 0; i < 3; i++) expect((await failure(p.list({ scope: GLOBAL }))).code).toBe("UNAVAILABLE");
      expect(proxy.count()).toBe(3);

      const fast = await failure(p.get(address));
      expect(fast.code).toBe("UNAVAILABLE");
      expect(fast.details.rule).toBe("circuit-breaker");
      expect(fast.message).toMatch(/failing fast/);
      expect(proxy.count()).toBe(3); // nothing reached AWS

      await new Promise((r) => setTimeout(r, 850));
      expect((await p.get(address)).value).toBe(VALUE);
      proxy.inject({ operation: "ListSecrets", ...awsErrorAnswer("ServiceUnavailable", 503) }, 1);
      expect((await failure(p.list({ scope: GLOBAL }))).code).toBe("UNAVAILABLE");
      expect((await p.get(address)).value).toBe(VALUE); // one failure after a success does not open it
    });

    it("does not count answers such as NOT_FOUND as failures of the service", async () => {
      const p = provider({ maxRetries: 0, circuitBreakerThreshold: 2, circuitBreakerCooldownMs: 60_000 });
      for (let i = 0; i < 4; i++) {
        expect((await failure(p.get({ name: `MISSING_${i}`, scope: GLOBAL }))).code).toBe("NOT_FOUND");
      }
      expect((await p.get(address)).value).toBe(VALUE);
    });
  },
);
