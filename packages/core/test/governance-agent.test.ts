import { afterEach, describe, expect, it } from "vitest";
import { CofferError, functionHook, type HookPayload, runExpiryAgent, type ScanReport } from "../src/index.js";
import { cleanup, governedCoffer, rejection, testClock, user } from "./governance-support.js";

afterEach(cleanup);

describe("expiry agent", () => {
  async function expiringSetup() {
    const clock = testClock();
    const fired: HookPayload[] = [];
    const { coffer } = await governedCoffer({
      clock: clock.now,
      accessor: user("alice"),
      hooks: [functionHook({ id: "on-expire", match: { events: ["expire"] }, run: (p) => void fired.push(p) })],
    });
    await coffer.set("stripe/key", "sk_test_original_value_123", {
      ttlSeconds: 3600,
      rotationFormat: "api-key",
      rotationPrefix: "sk_test_",
    });
    await coffer.set("no-rotation", "plain-value-12345678", { ttlSeconds: 3600 });
    await coffer.set("fresh", "fresh-value-12345678", { ttlSeconds: 86400 });
    return { coffer, clock, fired };
  }

  it("auto-rotates expired secrets that have a rotation format, once", async () => {
    const { coffer, clock, fired } = await expiringSetup();
    clock.advance(2 * 3600);
    const reports: ScanReport[] = [];
    const result = await runExpiryAgent(coffer, {
      once: true,
      autoRotate: true,
      onReport: (r) => void reports.push(r),
    });
    expect(result.runs).toBe(1);
    expect(reports).toHaveLength(1);
    expect(result.lastReport!.expired.map((e) => e.name).sort()).toEqual(["no-rotation", "stripe/key"]);
    expect(result.lastReport!.rotated).toEqual([{ name: "stripe/key", scope: "global", oldVersion: 1, newVersion: 2 }]);
    const rotated = await coffer.get("stripe/key", { reveal: true });
    expect(rotated.value).toMatch(/^sk_test_/);
    expect(rotated.value).not.toBe("sk_test_original_value_123");
    expect(rotated.decay.state).toBe("fresh");
    expect(fired.map((p) => `${p.event}:${p.name}`).sort()).toEqual(["expire:no-rotation", "expire:stripe/key"]);
    expect((await coffer.audit({ action: "rotate" })).map((e) => e.name)).toEqual(["stripe/key"]);
    // the next scan finds nothing left to rotate
    const again = await runExpiryAgent(coffer, { once: true, autoRotate: true });
    expect(again.lastReport!.rotated).toEqual([]);
  });

  it("only reports without autoRotate", async () => {
    const { coffer, clock } = await expiringSetup();
    clock.advance(2 * 3600);
    const { lastReport } = await runExpiryAgent(coffer, { once: true });
    expect(lastReport!.rotated).toEqual([]);
    expect((await coffer.get("stripe/key", { reveal: true })).value).toBe("sk_test_original_value_123");
  });

  it("loops at the interval until aborted", async () => {
    const { coffer } = await expiringSetup();
    const controller = new AbortController();
    const started = Date.now();
    const result = await runExpiryAgent(coffer, {
      intervalSeconds: 1,
      signal: controller.signal,
      onReport: (_r, run) => {
        if (run === 2) controller.abort();
      },
    });
    expect(result.runs).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("keeps looping after a failed scan (fault injected by a stand-in service), and throws with once", async () => {
    let calls = 0;
    const flaky = {
      scan: async (): Promise<ScanReport> => {
        calls++;
        if (calls === 1) throw new CofferError("UNAVAILABLE", "provider down");
        return { checked: 0, stale: [], expired: [], rotationDue: [], rotated: [], hooks: [], errors: [] };
      },
    };
    const controller = new AbortController();
    const errors: string[] = [];
    const result = await runExpiryAgent(flaky, {
      intervalSeconds: 1,
      signal: controller.signal,
      onError: (e) => errors.push(e.code),
      onReport: () => controller.abort(),
    });
    expect(errors).toEqual(["UNAVAILABLE"]);
    expect(result.runs).toBe(1);
    calls = 0;
    expect((await rejection(runExpiryAgent(flaky, { once: true }))).code).toBe("UNAVAILABLE");
  });

  it("refuses a bad interval", async () => {
    const { coffer } = await expiringSetup();
    for (const intervalSeconds of [0, -5, Number.NaN, 86401]) {
      expect((await rejection(runExpiryAgent(coffer, { intervalSeconds }))).code).toBe("INVALID_ARGUMENT");
    }
  });
});
