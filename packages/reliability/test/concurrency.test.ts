import { defaultAccessor, type OpenedCoffer, openCoffer } from "@coffer/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectMcp,
  createApiToken,
  createWorkspace,
  envelopeData,
  frontEndAvailable,
  killAllTracked,
  parseAcks,
  runCli,
  startRestServer,
  startTracked,
  type Workspace,
} from "../src/index.js";
import { tally } from "./scenario-tally.js";
import { LIBRARY_WORKER } from "./worker-scripts.js";

type WorkerAck =
  | { kind: "increment"; name: string; version: number; value: number; retries: number }
  | { kind: "blind"; name: string; version: number };

const COUNTER = "COUNTER_SHARED";
const COUNTER_B = "COUNTER_B";
const BLIND = "BLIND_SHARED";
const LIBRARY_WORKERS = 3;
const LIBRARY_ROUNDS = 60;

let ws: Workspace;
let opened: OpenedCoffer;

beforeAll(async () => {
  ws = createWorkspace("concurrency");
  opened = await openCoffer({ accessor: defaultAccessor("library"), cwd: ws.project, env: ws.env() });
  await opened.coffer.set(COUNTER, "0");
  await opened.coffer.set(COUNTER_B, "0");
  await opened.coffer.set(BLIND, "seed");
});

afterAll(async () => {
  await killAllTracked();
  await opened?.coffer.dispose();
  ws?.cleanup();
});

/** Read-modify-write increments through the CLI: `get --plain --json`, then `set --if-version`. */
async function cliIncrements(count: number) {
  const versions: number[] = [];
  let conflicts = 0;
  while (versions.length < count) {
    const read = await runCli(ws, ["get", COUNTER, "--plain", "--json"]);
    const { secret } = envelopeData<{ secret: { value: string; version: number } }>(read);
    const write = await runCli(ws, ["set", COUNTER, "--if-version", String(secret.version), "--json"], {
      input: String(Number(secret.value) + 1),
    });
    if (write.code === 0) versions.push(envelopeData<{ version: number }>(write).version);
    else if (write.json?.error?.code === "CONFLICT") conflicts++;
    else throw new Error(`coffer set failed: ${write.stdout}${write.stderr}`);
  }
  return { versions, conflicts };
}

/** The same over REST: GET ?reveal=true, then PUT with If-Match (412 on a lost race). */
async function restIncrements(count: number) {
  const server = await startRestServer(ws);
  const token = await createApiToken(ws, "concurrency", ["secrets:read", "secrets:write", "secrets:reveal"]);
  const versions: number[] = [];
  let conflicts = 0;
  try {
    while (versions.length < count) {
      const read = await server.request("GET", `/v1/secrets/${COUNTER}?reveal=true&purpose=counter`, { token });
      expect(read.status).toBe(200);
      const current = read.body as { value: string; version: number };
      const write = await server.request("PUT", `/v1/secrets/${COUNTER}`, {
        token,
        headers: { "if-match": String(current.version) },
        json: { value: String(Number(current.value) + 1) },
      });
      if (write.status === 200) versions.push((write.body as { version: number }).version);
      else if (write.status === 412) conflicts++;
      else throw new Error(`PUT answered ${write.status}: ${write.text}`);
    }
  } finally {
    await server.stop();
  }
  return { versions, conflicts };
}

/** Blind writes by an agent through MCP set_secret (which has no version precondition). */
async function mcpBlindWrites(count: number) {
  const mcp = await connectMcp(ws);
  try {
    for (let i = 0; i < count; i++) {
      const r = await mcp.call("set_secret", { key: BLIND, value: `mcp-${i}` });
      if (r.isError) throw new Error(`set_secret failed: ${r.text}`);
    }
  } finally {
    await mcp.close();
  }
  return count;
}

describe("concurrent writers in separate OS processes", () => {
  it("library, CLI, REST and MCP processes writing the same and different secrets lose no update, never reuse a version, keep the audit chain and the store intact", async (context) => {
    const workers = Array.from({ length: LIBRARY_WORKERS }, (_, w) =>
      startTracked(
        [
          LIBRARY_WORKER,
          "mixed",
          JSON.stringify({
            counters: [COUNTER, COUNTER_B],
            blind: [BLIND, `OWN_${w}`],
            rounds: LIBRARY_ROUNDS,
            writer: `lib${w}`,
          }),
        ],
        { cwd: ws.project, env: ws.env(), label: `library worker ${w}` },
      ),
    );
    const front = await Promise.all([
      frontEndAvailable("cli") ? cliIncrements(8) : Promise.resolve({ versions: [] as number[], conflicts: 0 }),
      frontEndAvailable("server") ? restIncrements(40) : Promise.resolve({ versions: [] as number[], conflicts: 0 }),
      frontEndAvailable("mcp") ? mcpBlindWrites(40) : Promise.resolve(0),
    ]);
    const exits = await Promise.all(workers.map((w) => w.exited));
    for (const [i, e] of exits.entries())
      expect(e, `library worker ${i}: ${workers[i]!.stderr()}`).toEqual({ code: 0, signal: null });
    const [cli, rest, mcpWrites] = front;

    const acks = workers.map((w) => parseAcks<WorkerAck>(w.stdout()));
    const incrementsOf = (name: string) =>
      acks
        .flat()
        .filter((a): a is Extract<WorkerAck, { kind: "increment" }> => a.kind === "increment" && a.name === name);
    const sharedVersions = [...incrementsOf(COUNTER).map((a) => a.version), ...cli.versions, ...rest.versions];
    const bVersions = incrementsOf(COUNTER_B).map((a) => a.version);

    // No lost update: the counter equals the number of acknowledged increments.
    const { coffer } = opened;
    const shared = await coffer.get(COUNTER, { reveal: true, purpose: "verify" });
    expect(Number(shared.value)).toBe(sharedVersions.length);
    expect(shared.version).toBe(sharedVersions.length + 1);
    const b = await coffer.get(COUNTER_B, { reveal: true, purpose: "verify" });
    expect(Number(b.value)).toBe(bVersions.length);

    // Versions handed out are exactly 2..N+1: strictly increasing per writer, no duplicates overall.
    const sorted = [...sharedVersions].sort((x, y) => x - y);
    expect(sorted).toEqual(Array.from({ length: sharedVersions.length }, (_, i) => i + 2));
    for (const a of acks) {
      const mine = a.filter((x) => x.name === COUNTER).map((x) => x.version);
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
      expect(new Set(mine).size).toBe(mine.length);
    }
    // Each kept version of the counter holds the value written with it (value = version - 1).
    for (const v of await coffer.history(COUNTER)) {
      const old = await coffer.get(COUNTER, { version: v.version, reveal: true, purpose: "verify" });
      expect(Number(old.value)).toBe(v.version - 1);
    }

    // Blind writes: every write got its own version.
    const blindLib = acks
      .flat()
      .filter((a) => a.kind === "blind" && a.name === BLIND)
      .map((a) => a.version);
    expect(new Set(blindLib).size).toBe(blindLib.length);
    const blind = await coffer.get(BLIND);
    expect(blind.version).toBe(1 + blindLib.length + mcpWrites);

    // The audit log recorded exactly the successful writes of the counter, and its chain holds.
    const audited = await coffer.audit({ name: COUNTER, action: "write", limit: 10_000 });
    expect(audited.filter((e) => e.success).length).toBe(sharedVersions.length + 1);
    const verification = await coffer.verifyAudit();
    expect(verification.ok).toBe(true);
    const integrity = await opened.local!.verifyIntegrity();
    expect(integrity.problems).toEqual([]);
    expect(integrity.ok).toBe(true);

    const retries = incrementsOf(COUNTER).reduce((n, a) => n + a.retries, 0) + cli.conflicts + rest.conflicts;
    tally(context, { operations: sharedVersions.length + bVersions.length + blindLib.length + mcpWrites + retries });
    context.annotate?.(`increments ${sharedVersions.length}, conflicts retried ${retries}`);
  }, 180_000);
});
