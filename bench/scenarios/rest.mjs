// REST: GET /v1/secrets/{name} on the built coffer-server, requests per second and p99 latency
// under autocannon, against a bare Fastify constant route in the same conditions.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { pick, scenario } from "../lib/scenario.mjs";
import { cofferDirs, diskTemp } from "../lib/temp-dirs.mjs";
import { BINS, ROOT, workspacePackage } from "../lib/workspace.mjs";

const GROUP = "REST server";

function load(url, headers, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, connections: 10, pipelining: 1, duration }, (err, result) => {
      if (err) reject(err);
      else if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
        reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`));
      } else resolve({ rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50 });
    });
  });
}

await scenario(async ({ figure, note }) => {
  if (!existsSync(BINS.server)) return { skipped: `${BINS.server} is not built (pnpm --filter @coffer/server build)` };
  const { apiTokens } = await workspacePackage("core");
  const { openCoffer, defaultAccessor } = await workspacePackage("runtime");
  const runs = pick(3, 2);
  const duration = pick(4, 2);

  const root = diskTemp("rest");
  const { home, project } = cofferDirs(root);
  // Rate limits far above what the load reaches: their bookkeeping stays in the measured path.
  writeFileSync(
    join(home, "config.yaml"),
    "server:\n  rateLimit:\n    perToken: 100000000\n    perAddress: 100000000\n",
    { mode: 0o600 },
  );
  const env = { PATH: process.env.PATH ?? "", HOME: root, COFFER_HOME: home, TZ: "UTC" };
  const opened = await openCoffer({ accessor: defaultAccessor("library"), cwd: project, env });
  await opened.coffer.set("BENCH_REST_SECRET", "sk_bench_0123456789abcdef");
  const { token } = await apiTokens(opened.documents).create({ name: "bench", scopes: ["secrets:read"] });
  await opened.coffer.dispose();

  const { startListeningProcess } = await workspacePackage("test-emulators");
  const coffer = await startListeningProcess({ args: [BINS.server, "--port", "0"], env, cwd: project });
  const bare = await startListeningProcess({
    args: [join(ROOT, "bench/lib/fastify-constant-server.mjs")],
    env,
    cwd: project,
  });
  try {
    const auth = { authorization: `Bearer ${token}` };
    const cofferUrl = `${coffer.url}/v1/secrets/BENCH_REST_SECRET`;
    const bareUrl = `${bare.url}/v1/secrets/BENCH_REST_SECRET`;
    const probe = await fetch(cofferUrl, { headers: auth });
    if (probe.status !== 200) throw new Error(`coffer-server answered ${probe.status}: ${await probe.text()}`);
    await load(cofferUrl, auth, 1); // warm-up
    await load(bareUrl, {}, 1);
    const c = [];
    const b = [];
    for (let r = 0; r < runs; r++) {
      b.push(await load(bareUrl, {}, duration));
      c.push(await load(cofferUrl, auth, duration));
    }
    figure({
      id: "rest.bare-rps",
      group: GROUP,
      label: "bare Fastify constant route (baseline)",
      unit: "req/s",
      better: "higher",
      samples: b.map((x) => x.rps),
    });
    figure({
      id: "rest.get-rps",
      group: GROUP,
      label: "GET /v1/secrets/{name} (bearer token, masked)",
      unit: "req/s",
      better: "higher",
      samples: c.map((x) => x.rps),
      baseline: "rest.bare-rps",
      target: { on: "ratio", op: ">=", value: 0.5, text: ">= 0.5x bare Fastify" },
    });
    figure({
      id: "rest.bare-p99",
      group: GROUP,
      label: "bare Fastify p99 latency, whole ms (baseline)",
      unit: "ms",
      better: "lower",
      samples: b.map((x) => x.p99),
    });
    figure({
      id: "rest.get-p99",
      group: GROUP,
      label: "GET /v1/secrets/{name} p99 latency, whole ms",
      unit: "ms",
      better: "lower",
      samples: c.map((x) => x.p99),
      baseline: "rest.bare-p99",
    });
    note(
      `autocannon in the bench process, 10 connections, ${duration} s per run, ${runs} runs alternating with the baseline; both servers are separate Node processes on 127.0.0.1.`,
    );
  } finally {
    await coffer.stop();
    await bare.stop();
  }
});
