// Team server: masked GET /v1/secrets/{name} on coffer-server over the PostgreSQL store (one and
// two replicas on one database), against the same server on the local store in the same run.
// PostgreSQL is started by the test harness from the installed binaries (skipped without them).

import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { pick, scenario } from "../lib/scenario.mjs";
import { cofferDirs, diskTemp } from "../lib/temp-dirs.mjs";
import { BINS, workspacePackage } from "../lib/workspace.mjs";

const GROUP = "Team server (PostgreSQL)";
const RATE = "server:\n  rateLimit:\n    perToken: 100000000\n    perAddress: 100000000\n";

function load(targets, connections, duration) {
  const one = (url, headers, c) =>
    new Promise((resolve, reject) => {
      autocannon({ url, headers, connections: c, pipelining: 1, duration }, (err, result) => {
        if (err) reject(err);
        else if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
          reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`));
        } else resolve({ rps: result.requests.average, p99: result.latency.p99 });
      });
    });
  // Connections split over the replicas (a load balancer's round robin).
  return Promise.all(targets.map((t) => one(t.url, t.headers, connections / targets.length))).then((all) => ({
    rps: all.reduce((sum, r) => sum + r.rps, 0),
    p99: Math.max(...all.map((r) => r.p99)),
  }));
}

/** A store with one secret and a read token, opened through the runtime like the server does. */
async function seed(env, project) {
  const { apiTokens } = await workspacePackage("core");
  const { openCoffer, defaultAccessor } = await workspacePackage("runtime");
  const opened = await openCoffer({ accessor: defaultAccessor("library"), cwd: project, env });
  await opened.coffer.set("BENCH_TEAM_SECRET", "sk_bench_0123456789abcdef");
  const { token } = await apiTokens(opened.documents).create({ name: "bench", scopes: ["secrets:read"] });
  await opened.coffer.dispose();
  return token;
}

await scenario(async ({ figure, note }) => {
  if (!existsSync(BINS.server)) return { skipped: `${BINS.server} is not built (pnpm --filter @coffer/server build)` };
  const { postgresUnavailableReason, startListeningProcess, startPostgres } = await workspacePackage("test-emulators");
  const why = postgresUnavailableReason();
  if (why !== undefined) return { skipped: why };
  const runs = pick(3, 2);
  const duration = pick(4, 2);
  const pg = await startPostgres();
  const servers = [];
  try {
    const localRoot = diskTemp("team-local");
    const local = cofferDirs(localRoot);
    writeFileSync(join(local.home, "config.yaml"), RATE, { mode: 0o600 });
    const localEnv = { PATH: process.env.PATH ?? "", HOME: localRoot, COFFER_HOME: local.home, TZ: "UTC" };
    const localToken = await seed(localEnv, local.project);

    const pgRoot = diskTemp("team-pg");
    const team = cofferDirs(pgRoot);
    writeFileSync(
      join(team.project, "coffer.yaml"),
      `defaultProvider: postgres\nproviders:\n  local: null\n  postgres:\n    connectionString: \${env:TEAM_DB_URL}\n${RATE}`,
      { mode: 0o600 },
    );
    const pgEnv = {
      PATH: process.env.PATH ?? "",
      HOME: pgRoot,
      COFFER_HOME: team.home,
      TZ: "UTC",
      COFFER_MASTER_KEY: randomBytes(32).toString("hex"),
      TEAM_DB_URL: await pg.createDatabase("bench_team"),
    };
    const pgToken = await seed(pgEnv, team.project);

    const localServer = await startListeningProcess({
      args: [BINS.server, "--port", "0"],
      env: localEnv,
      cwd: local.project,
    });
    servers.push(localServer);
    const replicaA = await startListeningProcess({ args: [BINS.server, "--port", "0"], env: pgEnv, cwd: team.project });
    servers.push(replicaA);
    const replicaB = await startListeningProcess({ args: [BINS.server, "--port", "0"], env: pgEnv, cwd: team.project });
    servers.push(replicaB);
    const path = "/v1/secrets/BENCH_TEAM_SECRET";
    const localTarget = [{ url: localServer.url + path, headers: { authorization: `Bearer ${localToken}` } }];
    const oneReplica = [{ url: replicaA.url + path, headers: { authorization: `Bearer ${pgToken}` } }];
    const twoReplicas = [...oneReplica, { url: replicaB.url + path, headers: { authorization: `Bearer ${pgToken}` } }];
    for (const t of [...localTarget, ...twoReplicas]) {
      const probe = await fetch(t.url, { headers: t.headers });
      if (probe.status !== 200) throw new Error(`coffer-server answered ${probe.status}: ${await probe.text()}`);
    }
    await load(localTarget, 10, 1); // warm-up
    await load(twoReplicas, 10, 1);
    const l = [];
    const p1 = [];
    const p2 = [];
    for (let r = 0; r < runs; r++) {
      l.push(await load(localTarget, 10, duration));
      p1.push(await load(oneReplica, 10, duration));
      p2.push(await load(twoReplicas, 10, duration));
    }
    figure({
      id: "team.local-rps",
      group: GROUP,
      label: "GET /v1/secrets/{name} masked, local store (baseline)",
      unit: "req/s",
      better: "higher",
      samples: l.map((x) => x.rps),
    });
    figure({
      id: "team.pg-rps",
      group: GROUP,
      label: "same on PostgreSQL, one replica",
      unit: "req/s",
      better: "higher",
      samples: p1.map((x) => x.rps),
      baseline: "team.local-rps",
      target: { on: "ratio", op: ">=", value: 0.5, text: ">= 0.5x the local store" },
    });
    figure({
      id: "team.pg2-rps",
      group: GROUP,
      label: "same on PostgreSQL, two replicas (connections split)",
      unit: "req/s",
      better: "higher",
      samples: p2.map((x) => x.rps),
      baseline: "team.local-rps",
    });
    figure({
      id: "team.pg-p99",
      group: GROUP,
      label: "PostgreSQL, one replica: p99 latency, whole ms",
      unit: "ms",
      better: "lower",
      samples: p1.map((x) => x.p99),
      target: { on: "value", op: "<=", value: 4, text: "< 5 ms (whole ms)" },
    });
    note(
      `autocannon in the bench process, 10 connections (split over the replicas), ${duration} s per run, ${runs} runs alternating; PostgreSQL 15 from the installed binaries with fsync off (the harness's test settings), everything on 127.0.0.1 of one machine.`,
    );
  } finally {
    for (const s of servers) await s.stop();
    await pg.stop();
  }
});
