import { createServer, type Server, type Socket } from "node:net";
import { type Coffer, CofferError, createCoffer, type Provider } from "@coffer/core";
import { awsSecretsManager } from "@coffer/provider-aws";
import { azureKeyVault, staticTokenCredential } from "@coffer/provider-azure";
import { type LocalProvider, local } from "@coffer/provider-local";
import {
  awsErrorAnswer,
  type Fault,
  type FaultProxy,
  freePort,
  type MotoServer,
  motoUnavailableReason,
  startFaultProxy,
  startMoto,
} from "@coffer/test-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace, type Workspace } from "../src/index.js";
import { tally } from "./scenario-tally.js";

/** Per-attempt time limit given to the remote providers. */
const TIMEOUT_MS = 400;
/** Retries after the first attempt. */
const RETRIES = 2;
/** The most a failing remote read may take: every attempt timing out, backoff, and slack for a loaded machine. */
const BOUND_MS = TIMEOUT_MS * (RETRIES + 1) + 1_500;

const credentials = { accessKeyId: "reliability", secretAccessKey: "reliability" };

let ws: Workspace;
let store: LocalProvider;
/** Remote providers created by the tests, closed at the end. */
const remotes: Provider[] = [];

beforeAll(async () => {
  ws = createWorkspace("remote");
  store = local({ home: ws.home });
  const seed = createCoffer({ providers: [store], cwd: ws.project, projectRoot: ws.project, env: {} });
  await seed.set("SHARED", "local-shared");
  await seed.set("LOCAL_ONLY", "local-only");
});

afterAll(async () => {
  for (const r of remotes) await r.dispose?.();
  await store?.dispose();
  ws?.cleanup();
});

/** A chain of `remote` (read first) over the local store, as a configured project has it. */
function chain(remote: Provider, policy: "fallthrough" | "strict" = "fallthrough"): Coffer {
  remotes.push(remote);
  return createCoffer({
    providers: [
      { provider: remote, priority: 90 },
      { provider: store, priority: 50 },
    ],
    defaultProvider: "local",
    chainPolicy: policy,
    cwd: ws.project,
    projectRoot: ws.project,
    env: {},
  });
}

/** Time a call; it must settle within `bound` ms. */
async function timed<T>(
  bound: number,
  call: () => Promise<T>,
): Promise<{ ms: number; result?: T; error?: CofferError }> {
  const started = performance.now();
  let result: T | undefined;
  let error: CofferError | undefined;
  try {
    result = await call();
  } catch (err) {
    expect(err).toBeInstanceOf(CofferError);
    error = err as CofferError;
  }
  const ms = performance.now() - started;
  expect(ms, `took ${ms.toFixed(0)} ms, bound ${bound} ms`).toBeLessThan(bound);
  return { ms, ...(result !== undefined ? { result } : {}), ...(error ? { error } : {}) };
}

/** What the chain reports for one provider in an error's per-provider outcomes. */
function outcomeOf(err: CofferError | undefined, provider: string) {
  const outcomes = (err?.details.outcomes ?? []) as Array<{ provider: string; outcome: string; code?: string }>;
  return outcomes.find((o) => o.provider === provider);
}

/**
 * The behaviour every remote fault must produce: a secret the local store also has is served from
 * it (with the remote failure in its provenance); a secret only the remote has fails UNAVAILABLE
 * -- never NOT_FOUND -- with the per-provider report; under `strict` the remote failure is fatal.
 */
async function expectFallbackBehaviour(make: () => Provider, remoteName: string, codes: string[]): Promise<number> {
  const coffer = chain(make());
  const shared = await timed(BOUND_MS, () => coffer.get("SHARED", { reveal: true }));
  expect(shared.error?.message).toBeUndefined();
  expect(shared.result!.value).toBe("local-shared");
  expect(shared.result!.provenance.provider).toBe("local");
  const failed = shared.result!.provenance.outcomes.find((o) => o.provider === remoteName);
  expect(failed?.outcome).toBe("error");
  expect(codes).toContain(failed?.code);

  const only = await timed(BOUND_MS, () => chain(make()).get("REMOTE_ONLY", { reveal: true }));
  expect(only.error?.code).toBe("UNAVAILABLE");
  expect(codes).toContain(outcomeOf(only.error, remoteName)?.code);
  expect(outcomeOf(only.error, "local")?.outcome).toBe("miss");

  const strict = await timed(BOUND_MS, () => chain(make(), "strict").get("SHARED", { reveal: true }));
  expect(strict.error?.code).toBe("UNAVAILABLE");
  expect(strict.error?.message).toContain(remoteName);

  const listing = await timed(BOUND_MS, () => chain(make()).list({ limit: 100 }));
  expect(listing.result!.items.map((i) => i.name)).toEqual(expect.arrayContaining(["SHARED", "LOCAL_ONLY"]));
  expect(listing.result!.errors.map((e) => e.provider)).toContain(remoteName);
  return 4;
}

const motoReason = motoUnavailableReason();

describe.skipIf(motoReason !== undefined)("AWS Secrets Manager faults injected by a proxy in front of moto", () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  /** From now on, `fault` for the next `times` requests (and nothing else). */
  const only = (fault: Fault, times = Number.POSITIVE_INFINITY) => {
    proxy.clearFaults();
    proxy.inject(fault, times);
  };
  const aws = (endpoint = proxy.url, extra: Record<string, unknown> = {}) =>
    awsSecretsManager({
      region: "us-east-1",
      endpoint,
      credentials,
      timeoutMs: TIMEOUT_MS,
      maxRetries: RETRIES,
      retryBaseDelayMs: 20,
      retryMaxDelayMs: 100,
      cacheTtlSeconds: 0,
      ...extra,
    });

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    const seeder = aws(moto.endpoint);
    remotes.push(seeder);
    const seeding = createCoffer({
      providers: [seeder],
      cwd: ws.project,
      projectRoot: ws.project,
      env: {},
      audit: false,
    });
    await seeding.set("SHARED", "aws-shared");
    await seeding.set("REMOTE_ONLY", "aws-only");
  });

  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
  });

  it("healthy endpoint: the remote copy wins over the local one (the baseline the faults are compared with)", async (context) => {
    proxy.clearFaults();
    const r = await chain(aws()).get("SHARED", { reveal: true });
    expect(r.value).toBe("aws-shared");
    expect(r.provenance.provider).toBe("aws-secrets-manager");
    tally(context, { operations: 1 });
  });

  it(`a hanging endpoint: reads fall back to the local store or fail UNAVAILABLE within ${BOUND_MS} ms, never hang`, async (context) => {
    only({ delayMs: 10_000 });
    tally(context, { operations: await expectFallbackBehaviour(() => aws(), "aws-secrets-manager", ["UNAVAILABLE"]) });
  });

  it("a burst of 5xx shorter than the retries is absorbed; a longer one falls back with the per-provider report", async (context) => {
    only({ status: 503 }, RETRIES);
    const absorbed = await timed(BOUND_MS, () => chain(aws()).get("REMOTE_ONLY", { reveal: true }));
    expect(absorbed.result?.value).toBe("aws-only");
    expect(absorbed.result?.provenance.provider).toBe("aws-secrets-manager");
    only({ status: 500 });
    tally(context, {
      operations: 1 + (await expectFallbackBehaviour(() => aws(), "aws-secrets-manager", ["UNAVAILABLE"])),
    });
  });

  it("throttling: one ThrottlingException is retried away; persistent throttling falls back or fails UNAVAILABLE/RATE_LIMITED in bounded time", async (context) => {
    only(awsErrorAnswer("ThrottlingException"), 1);
    const retried = await timed(BOUND_MS, () => chain(aws()).get("REMOTE_ONLY", { reveal: true }));
    expect(retried.result?.value).toBe("aws-only");
    only(awsErrorAnswer("ThrottlingException"));
    tally(context, {
      operations:
        1 + (await expectFallbackBehaviour(() => aws(), "aws-secrets-manager", ["UNAVAILABLE", "RATE_LIMITED"])),
    });
  });

  it("a dead endpoint (connection refused) and connection resets: fallback or UNAVAILABLE, fast", async (context) => {
    const closedPort = await freePort();
    let ops = await expectFallbackBehaviour(() => aws(`http://127.0.0.1:${closedPort}`), "aws-secrets-manager", [
      "UNAVAILABLE",
    ]);
    only({ reset: true });
    ops += await expectFallbackBehaviour(() => aws(), "aws-secrets-manager", ["UNAVAILABLE"]);
    tally(context, { operations: ops });
  });

  it("after repeated failures the circuit breaker answers at once instead of waiting out more timeouts", async (context) => {
    only({ delayMs: 10_000 });
    const provider = aws(proxy.url, { circuitBreakerThreshold: 2, circuitBreakerCooldownMs: 60_000, maxRetries: 0 });
    const coffer = chain(provider);
    for (let i = 0; i < 2; i++) await timed(BOUND_MS, () => coffer.get("REMOTE_ONLY"));
    const fast = await timed(200, () => coffer.get("REMOTE_ONLY"));
    expect(fast.error?.code).toBe("UNAVAILABLE");
    tally(context, { operations: 3 });
  });

  it("a write to the unreachable remote fails UNAVAILABLE, leaves the local copy alone and is audited as failed", async (context) => {
    only({ reset: true });
    const coffer = chain(aws());
    const w = await timed(BOUND_MS, () => coffer.set("SHARED", "new-value", { provider: "aws-secrets-manager" }));
    expect(w.error?.code).toBe("UNAVAILABLE");
    proxy.clearFaults();
    expect((await chain(aws()).get("SHARED", { reveal: true })).value).toBe("aws-shared");
    expect((await store.get({ name: "SHARED", scope: { kind: "global" } })).value).toBe("local-shared");
    const audit = await coffer.audit({ name: "SHARED", action: "write", limit: 10 });
    expect(audit[0]?.success).toBe(false);
    expect(audit[0]?.errorCode).toBe("UNAVAILABLE");
    tally(context, { operations: 3 });
  });
});

describe("Azure Key Vault faults (dead and hanging endpoints; no emulator needed)", () => {
  let hanging: Server;
  let hangingPort: number;
  const held = new Set<Socket>();
  beforeAll(async () => {
    // Accepts TCP connections and never answers: the TLS handshake itself hangs.
    hanging = createServer((socket) => {
      held.add(socket);
      socket.on("close", () => held.delete(socket));
    });
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    hangingPort = (hanging.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
  });
  const azure = (vaultUrl: string) =>
    azureKeyVault({
      vaultUrl,
      credential: staticTokenCredential(),
      disableChallengeResourceVerification: true,
      timeoutMs: TIMEOUT_MS,
      maxRetries: RETRIES,
      retryDelayMs: 20,
      cacheTtlSeconds: 0,
    });

  it(`a dead vault endpoint: fallback to the local store or UNAVAILABLE within ${BOUND_MS} ms`, async (context) => {
    const port = await freePort();
    tally(context, {
      operations: await expectFallbackBehaviour(() => azure(`https://127.0.0.1:${port}`), "azure-keyvault", [
        "UNAVAILABLE",
      ]),
    });
  });

  it(`a vault endpoint that accepts connections and never answers: fallback or UNAVAILABLE within ${BOUND_MS} ms`, async (context) => {
    tally(context, {
      operations: await expectFallbackBehaviour(() => azure(`https://127.0.0.1:${hangingPort}`), "azure-keyvault", [
        "UNAVAILABLE",
      ]),
    });
  });
});
