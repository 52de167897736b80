import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Accessor, CofferError } from "@coffer/core";
import {
  awsErrorAnswer,
  type Fault,
  type FaultProxy,
  type MotoServer,
  motoUnavailableReason,
  startFaultProxy,
  startMoto,
} from "@coffer/test-emulators";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type OpenedCoffer, openCoffer } from "../src/index.js";

const MOTO_SKIP_REASON = motoUnavailableReason();
const alice: Accessor = { id: "alice", kind: "user", frontEnd: "cli" };
const AWS = "aws-secrets-manager";
const VALUE = "postgres://lkg-user:Sentinel-5f2c9e@db.internal/app";

const dirs: string[] = [];
const opened: OpenedCoffer[] = [];

function temp(prefix: string): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  dirs.push(d);
  return d;
}

async function failure(p: Promise<unknown>): Promise<CofferError> {
  try {
    await p;
  } catch (err) {
    return err as CofferError;
  }
  throw new Error("expected a rejection");
}

describe.skipIf(MOTO_SKIP_REASON !== undefined)("last-known-good cache of remote providers (moto)", () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  /** From now on every request gets `fault` (and no other). */
  const switchTo = (fault: Fault) => {
    proxy.clearFaults();
    proxy.inject(fault, Number.POSITIVE_INFINITY);
  };

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
  });
  afterEach(async () => {
    proxy.clearFaults();
    while (opened.length) await opened.pop()!.coffer.dispose();
    while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
  });
  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
  });

  /** A Coffer home and a project whose coffer.yaml puts AWS (through the proxy) over the local store. */
  function workspace(aws: Record<string, string | number> = {}) {
    const home = temp("coffer-lkg-home-");
    const project = temp("coffer-lkg-project-");
    const settings: Record<string, string | number> = {
      priority: 90,
      endpoint: proxy.url,
      region: "us-east-1",
      prefix: `t-lkg-${randomBytes(4).toString("hex")}/`,
      cacheTtlSeconds: 0,
      maxRetries: 0,
      timeoutMs: 3000,
      circuitBreakerThreshold: 1000,
      ...aws,
    };
    const yaml = [
      "defaultProvider: local",
      "providers:",
      `  ${AWS}:`,
      ...Object.entries(settings).map(([k, v]) => `    ${k}: ${typeof v === "number" ? v : JSON.stringify(v)}`),
      "    credentials: { accessKeyId: testing, secretAccessKey: testing }",
      "",
    ].join("\n");
    writeFileSync(join(project, "coffer.yaml"), yaml);
    const env = {
      COFFER_HOME: home,
      COFFER_MASTER_KEY: Buffer.alloc(32, 9).toString("base64"),
      PATH: process.env.PATH ?? "",
    };
    return { home, project, env };
  }

  async function open(ws: ReturnType<typeof workspace>, offline = false): Promise<OpenedCoffer> {
    const o = await openCoffer({
      cwd: ws.project,
      env: ws.env,
      accessor: alice,
      ...(offline ? { offline: true } : {}),
    });
    opened.push(o);
    return o;
  }

  const reveal = { reveal: true, purpose: "test" } as const;

  it("serves an unreachable provider's value from the encrypted cache, saying how old it is", async () => {
    const ws = workspace();
    const { coffer, local } = await open(ws);
    await coffer.set("DB_URL", VALUE, { provider: AWS });
    const fresh = await coffer.get("DB_URL", reveal);
    expect(fresh.value).toBe(VALUE);
    expect(fresh.provenance.provider).toBe(AWS);
    expect(fresh.provenance.staleWarning).toBeUndefined();

    // The copy sits in the local store, encrypted like every other value.
    for (const file of [local!.storePath, `${local!.storePath}-wal`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from("Sentinel-5f2c9e"))).toBe(false);
    }

    switchTo({ reset: true }); // AWS unreachable
    await new Promise((r) => setTimeout(r, 1_100));
    const requestsBefore = proxy.count();
    const stale = await coffer.get("DB_URL", reveal);
    expect(proxy.count()).toBeGreaterThan(requestsBefore); // AWS was tried first
    expect(stale.value).toBe(VALUE);
    expect(stale.provider).toBe(AWS);
    expect(stale.provenance.provider).toBe(AWS);
    expect(stale.provenance.staleWarning).toMatch(
      /^served from the last-known-good cache: aws-secrets-manager unreachable; value is [1-9]\d*s old$/,
    );
    expect(stale.provenance.cacheAgeMs).toBeGreaterThanOrEqual(1_000);
    expect(stale.provenance.outcomes[0]).toMatchObject({ provider: AWS, outcome: "error", code: "UNAVAILABLE" });
    expect(stale.provenance.outcomes[0]?.message).toContain("served from the last-known-good cache");
    expect(JSON.stringify(stale.provenance)).not.toContain("Sentinel-5f2c9e");

    // A masked read is answered the same way, and the value is still not in any message.
    const masked = await coffer.get("DB_URL");
    expect(masked.value).toBeUndefined();
    expect(masked.provenance.staleWarning).toContain("unreachable");
  });

  it("fails UNAVAILABLE with the per-provider report once the copy is older than maxStaleSeconds", async () => {
    const ws = workspace({ maxStaleSeconds: 1 });
    const { coffer } = await open(ws);
    await coffer.set("API_TOKEN", VALUE, { provider: AWS });
    expect((await coffer.get("API_TOKEN", reveal)).value).toBe(VALUE);
    switchTo({ reset: true }); // AWS unreachable
    await new Promise((r) => setTimeout(r, 1_200));
    const e = await failure(coffer.get("API_TOKEN", reveal));
    expect(e.code).toBe("UNAVAILABLE");
    const aws = e.details.outcomes?.find((o) => o.provider === AWS);
    expect(aws).toMatchObject({ outcome: "error", code: "UNAVAILABLE" });
    expect(aws?.message).toMatch(/the last-known-good copy is \ds old, beyond maxStaleSeconds \(1 s\)$/);
    expect(e.details.outcomes?.find((o) => o.provider === "local")).toEqual({ provider: "local", outcome: "miss" });
    expect(e.message).toContain("beyond maxStaleSeconds (1 s)");
    expect(e.message).not.toContain("Sentinel-5f2c9e");
  });

  it("offline: serves remote values from the cache without a single HTTP request", async () => {
    const ws = workspace();
    const online = await open(ws);
    await online.coffer.set("SMTP_PASSWORD", VALUE, { provider: AWS });
    expect((await online.coffer.get("SMTP_PASSWORD", reveal)).value).toBe(VALUE);
    await online.coffer.dispose();
    opened.splice(opened.indexOf(online), 1);

    const { coffer } = await open(ws, true);
    proxy.clearRequests();
    const hit = await coffer.get("SMTP_PASSWORD", reveal);
    expect(hit.value).toBe(VALUE);
    expect(hit.provenance.staleWarning).toMatch(
      /^served from the last-known-good cache: aws-secrets-manager not contacted \(offline\); value is \d+s old$/,
    );
    const never = await failure(coffer.get("NEVER_READ", reveal));
    expect(never.code).toBe("UNAVAILABLE");
    expect(never.details.outcomes?.find((o) => o.provider === AWS)).toEqual({
      provider: AWS,
      outcome: "skipped",
      message: "not contacted (offline); no last-known-good copy is kept",
    });
    expect(proxy.count()).toBe(0);
  });

  it("never answers PERMISSION_DENIED from the cache, and drops the copy", async () => {
    const ws = workspace();
    const { coffer } = await open(ws);
    await coffer.set("DEPLOY_KEY", VALUE, { provider: AWS });
    expect((await coffer.get("DEPLOY_KEY", reveal)).value).toBe(VALUE);

    switchTo(awsErrorAnswer("AccessDeniedException"));
    const denied = await failure(coffer.get("DEPLOY_KEY", reveal));
    expect(denied.code).toBe("UNAVAILABLE");
    expect(denied.details.outcomes?.find((o) => o.provider === AWS)).toMatchObject({
      outcome: "error",
      code: "PERMISSION_DENIED",
    });
    expect(denied.message).not.toContain("Sentinel-5f2c9e");

    // The refusal also dropped the copy: an outage afterwards has nothing to serve.
    switchTo({ reset: true }); // AWS unreachable
    const down = await failure(coffer.get("DEPLOY_KEY", reveal));
    expect(down.code).toBe("UNAVAILABLE");
    expect(down.details.outcomes?.find((o) => o.provider === AWS)?.message).toContain(
      "no last-known-good copy is kept",
    );
  });

  it("reports the age of a value answered from the provider's in-memory cache", async () => {
    const ws = workspace({ cacheTtlSeconds: 300 });
    const { coffer } = await open(ws);
    await coffer.set("CACHED", VALUE, { provider: AWS });
    const first = await coffer.get("CACHED", reveal);
    expect(first.provenance.cacheAgeMs).toBeUndefined();
    await new Promise((r) => setTimeout(r, 30));
    const second = await coffer.get("CACHED", reveal);
    expect(second.value).toBe(VALUE);
    expect(second.provenance.cacheAgeMs).toBeGreaterThanOrEqual(25);
    expect(second.provenance.staleWarning).toBeUndefined();
  });

  it("refuses an invalid maxStaleSeconds, and one on a provider that is not remote, as CONFIG", async () => {
    const bad = workspace({ maxStaleSeconds: "1h" });
    const e = await failure(openCoffer({ cwd: bad.project, env: bad.env, accessor: alice }));
    expect(e.code).toBe("CONFIG");
    expect(e.message).toContain(`providers.${AWS}.maxStaleSeconds`);

    const local = workspace();
    writeFileSync(join(local.project, "coffer.yaml"), "providers:\n  local:\n    maxStaleSeconds: 60\n");
    const l = await failure(openCoffer({ cwd: local.project, env: local.env, accessor: alice }));
    expect(l.code).toBe("CONFIG");
    expect(l.message).toContain("remote providers only");
  });
});
