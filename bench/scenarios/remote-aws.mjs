// Remote: resolve 100 secrets held in AWS Secrets Manager (moto, behind the request-logging proxy
// of @coffer/test-emulators) the way `coffer run` does (service resolveForInjection over the
// configured chain), cold (new service, empty cache) and warm (same service again): HTTP requests
// made and wall time. The provider's own getMany is measured alongside as the floor.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pick, scenario } from "../lib/scenario.mjs";
import { cofferDirs, diskTemp } from "../lib/temp-dirs.mjs";
import { workspacePackage } from "../lib/workspace.mjs";

const GROUP = "Remote: AWS Secrets Manager (moto)";
const COUNT = 100;

await scenario(async ({ figure, note }) => {
  const emulators = await workspacePackage("test-emulators");
  if (emulators.findExecutable(emulators.MOTO_COMMAND) === undefined) {
    return { skipped: "moto_server is not on PATH (pip install 'moto[server]')" };
  }
  const { openCoffer, defaultAccessor } = await workspacePackage("runtime");
  const runs = pick(5, 2);
  const moto = await emulators.startMoto();
  const proxy = await emulators.startFaultProxy(moto.endpoint);
  /** Requests since the last take, total and by AWS operation; empties the proxy's request log. */
  const take = () => {
    const byOperation = {};
    for (const r of proxy.requests) {
      const op = r.operation ?? `${r.method} ${r.path}`;
      byOperation[op] = (byOperation[op] ?? 0) + 1;
    }
    const total = proxy.requests.length;
    proxy.clearRequests();
    return { total, byOperation };
  };
  try {
    const root = diskTemp("remote");
    const { home, project } = cofferDirs(root);
    writeFileSync(
      join(home, "config.yaml"),
      [
        "providers:",
        "  aws-secrets-manager:",
        "    region: us-east-1",
        `    endpoint: ${proxy.url}`,
        "    credentials: { accessKeyId: bench, secretAccessKey: bench }",
        "    maxRetries: 0",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const env = { PATH: process.env.PATH ?? "", HOME: root, COFFER_HOME: home, TZ: "UTC" };
    const open = () => openCoffer({ accessor: defaultAccessor("library"), cwd: project, env });
    const names = Array.from({ length: COUNT }, (_, i) => `REMOTE_SECRET_${String(i).padStart(3, "0")}`);

    const seeder = await open();
    await seeder.coffer.import(names.map((n, i) => `${n}=remote-value-${i}`).join("\n"), {
      provider: "aws-secrets-manager",
    });
    await seeder.coffer.dispose();
    take();

    const cold = { ms: [], requests: [], ops: undefined };
    const warm = { ms: [], requests: [], ops: undefined };
    const floorCold = { ms: [], requests: [] };
    for (let r = 0; r < runs; r++) {
      const { coffer } = await open();
      for (const [bucket, label] of [
        [cold, "cold"],
        [warm, "warm"],
      ]) {
        const t = performance.now();
        const set = await coffer.resolveForInjection({ command: "bench" });
        bucket.ms.push(performance.now() - t);
        const counted = take();
        bucket.requests.push(counted.total);
        bucket.ops ??= counted.byOperation;
        const got = set.secrets.filter((s) => s.provider === "aws-secrets-manager").length;
        if (got !== COUNT) throw new Error(`${label} resolution returned ${got} of ${COUNT} secrets from AWS`);
      }
      await coffer.dispose();

      // The floor: the provider's batched read alone, on a fresh provider.
      const { awsSecretsManager } = await workspacePackage("provider-aws");
      const provider = awsSecretsManager({
        region: "us-east-1",
        endpoint: proxy.url,
        credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
        maxRetries: 0,
      });
      const t = performance.now();
      const results = await provider.getMany(names.map((name) => ({ name, scope: { kind: "global" } })));
      floorCold.ms.push(performance.now() - t);
      floorCold.requests.push(take().total);
      if (results.some((x) => !x.ok)) throw new Error("provider getMany failed for some secrets");
      await provider.dispose?.();
    }
    const target = { on: "value", op: "<=", value: 5, text: "<= 5 requests" };
    figure({
      id: "remote.cold-requests",
      group: GROUP,
      label: `resolve ${COUNT} secrets (run), cold cache: HTTP requests`,
      unit: "count",
      better: "lower",
      samples: cold.requests,
      target,
    });
    figure({
      id: "remote.cold-ms",
      group: GROUP,
      label: `resolve ${COUNT} secrets (run), cold cache: wall time`,
      unit: "ms",
      better: "lower",
      samples: cold.ms,
    });
    figure({
      id: "remote.warm-requests",
      group: GROUP,
      label: `resolve ${COUNT} secrets (run), warm cache: HTTP requests`,
      unit: "count",
      better: "lower",
      samples: warm.requests,
      target,
    });
    figure({
      id: "remote.warm-ms",
      group: GROUP,
      label: `resolve ${COUNT} secrets (run), warm cache: wall time`,
      unit: "ms",
      better: "lower",
      samples: warm.ms,
      baseline: "remote.cold-ms",
    });
    figure({
      id: "remote.getmany-requests",
      group: GROUP,
      label: `provider getMany(${COUNT}), cold: HTTP requests (floor)`,
      unit: "count",
      better: "lower",
      samples: floorCold.requests,
      target,
    });
    figure({
      id: "remote.getmany-ms",
      group: GROUP,
      label: `provider getMany(${COUNT}), cold: wall time (floor)`,
      unit: "ms",
      better: "lower",
      samples: floorCold.ms,
    });
    const fmt = (ops) =>
      Object.entries(ops ?? {})
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
    note(`Requests by operation, cold: ${fmt(cold.ops) || "none"}; warm: ${fmt(warm.ops) || "none"}.`);
    note(
      `moto_server on 127.0.0.1 behind the request-logging proxy; chain = aws-secrets-manager (priority 90) + local + env; ${runs} runs, each with a new service (cold) used twice (warm).`,
    );
  } finally {
    await proxy.close();
    await moto.stop();
  }
});
