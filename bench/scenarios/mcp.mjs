// MCP: round trip of a tool call over stdio with the real MCP client (SDK Client +
// StdioClientTransport) against the built coffer-mcp, next to the protocol's own `ping`.
import { existsSync } from "node:fs";
import { pick, scenario } from "../lib/scenario.mjs";
import { percentiles } from "../lib/stats.mjs";
import { cofferDirs, diskTemp } from "../lib/temp-dirs.mjs";
import { BINS, workspacePackage } from "../lib/workspace.mjs";

const GROUP = "MCP over stdio";

await scenario(async ({ figure, note }) => {
  if (!existsSync(BINS.mcp)) return { skipped: `${BINS.mcp} is not built (pnpm --filter @coffer/mcp build)` };
  const { connectMcpStdio } = await workspacePackage("test-emulators");
  const { createCoffer } = await workspacePackage("core");
  const { local } = await workspacePackage("provider-local");
  const rounds = pick(5, 3);
  const calls = pick(300, 100);

  const root = diskTemp("mcp");
  const { home, project } = cofferDirs(root);
  const seed = createCoffer({ providers: [local({ home })], cwd: project, projectRoot: project, env: {} });
  await seed.set("BENCH_MCP_SECRET", "sk_bench_0123456789abcdef");
  await seed.dispose();

  const { client, close } = await connectMcpStdio({
    args: [BINS.mcp],
    cwd: project,
    env: { PATH: process.env.PATH ?? "", HOME: root, COFFER_HOME: home, TZ: "UTC" },
    clientName: "coffer-bench",
  });
  try {
    const measure = async (call) => {
      for (let i = 0; i < 50; i++) await call(); // warm-up
      const p50 = [];
      const p99 = [];
      for (let r = 0; r < rounds; r++) {
        const lat = [];
        for (let i = 0; i < calls; i++) {
          const t = performance.now();
          await call();
          lat.push(performance.now() - t);
        }
        const p = percentiles(lat);
        p50.push(p.p50);
        p99.push(p.p99);
      }
      return { p50, p99 };
    };
    const ping = await measure(() => client.ping());
    const get = await measure(async () => {
      const result = await client.callTool({ name: "get_secret", arguments: { key: "BENCH_MCP_SECRET" } });
      if (result.isError) throw new Error(`get_secret failed: ${JSON.stringify(result.content)}`);
    });
    const has = await measure(async () => {
      const result = await client.callTool({ name: "has_secret", arguments: { key: "BENCH_MCP_SECRET" } });
      if (result.isError) throw new Error(`has_secret failed: ${JSON.stringify(result.content)}`);
    });
    figure({
      id: "mcp.ping",
      group: GROUP,
      label: "ping round trip, median (baseline)",
      unit: "ms",
      better: "lower",
      samples: ping.p50,
    });
    figure({
      id: "mcp.get",
      group: GROUP,
      label: "get_secret tool call round trip, median",
      unit: "ms",
      better: "lower",
      samples: get.p50,
      baseline: "mcp.ping",
      target: { on: "value", op: "<=", value: 5, text: "well under 5 ms" },
    });
    figure({
      id: "mcp.get-p99",
      group: GROUP,
      label: "get_secret tool call round trip, p99",
      unit: "ms",
      better: "lower",
      samples: get.p99,
      baseline: "mcp.ping",
    });
    figure({
      id: "mcp.has",
      group: GROUP,
      label: "has_secret tool call round trip, median",
      unit: "ms",
      better: "lower",
      samples: has.p50,
      baseline: "mcp.ping",
    });
    note(
      `Built coffer-mcp over stdio with the SDK client; ${rounds} rounds of ${calls} sequential calls after 50 warm-up calls; each sample is one round's median (or p99).`,
    );
  } finally {
    await close();
  }
});
