// CLI start-up: wall time of whole `coffer` processes against `node -e 0` (the floor every Node
// CLI pays), and side by side with dotenvx on an equivalent .env file. Commands run interleaved
// so machine noise hits each alike; the first rounds warm the disk cache and the compile cache.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pick, scenario } from "../lib/scenario.mjs";
import { cofferDirs, diskTemp } from "../lib/temp-dirs.mjs";
import { timeInterleaved } from "../lib/timing.mjs";
import { BINS, DOTENVX_BIN, workspacePackage } from "../lib/workspace.mjs";

const GROUP = "CLI start-up";
const EXTRA_SECRETS = 200;

await scenario(async ({ figure, note }) => {
  if (!existsSync(BINS.cli)) return { skipped: `${BINS.cli} is not built (pnpm --filter @coffer/cli build)` };
  const { createCoffer } = await workspacePackage("core");
  const { local } = await workspacePackage("provider-local");
  const runs = pick(15, 5);

  const root = diskTemp("cli");
  const { home, project } = cofferDirs(root);
  const secrets = [["BENCH_NAME", "bench-value-0123456789abcdef"]];
  for (let i = 0; i < EXTRA_SECRETS; i++)
    secrets.push([`BENCH_VAR_${String(i).padStart(3, "0")}`, `value-${i}-${"z".repeat(24)}`]);
  const dotenv = `${secrets.map(([k, v]) => `${k}=${v}`).join("\n")}\n`;
  const coffer = createCoffer({ providers: [local({ home })], cwd: project, projectRoot: project, env: {} });
  await coffer.import(dotenv);
  await coffer.dispose();
  writeFileSync(join(project, ".env"), dotenv, { mode: 0o600 });

  const env = { PATH: process.env.PATH ?? "", HOME: root, COFFER_HOME: home, TZ: "UTC", NO_COLOR: "1" };
  const node = process.execPath;
  const common = { env, cwd: project };
  const commands = {
    node: { command: node, args: ["-e", "0"], ...common },
    get: { command: node, args: [BINS.cli, "get", "BENCH_NAME"], ...common },
    run: { command: node, args: [BINS.cli, "run", "--", "true"], ...common },
  };
  const haveDotenvx = existsSync(DOTENVX_BIN);
  if (haveDotenvx) {
    commands.dotenvxGet = { command: node, args: [DOTENVX_BIN, "get", "BENCH_NAME", "-f", ".env"], ...common };
    commands.dotenvxRun = { command: node, args: [DOTENVX_BIN, "run", "-f", ".env", "--", "true"], ...common };
  }
  const ms = await timeInterleaved(commands, { runs, warmup: 2 });

  figure({
    id: "cli.node",
    group: GROUP,
    label: "node -e 0 (baseline)",
    unit: "ms",
    better: "lower",
    samples: ms.node,
  });
  figure({
    id: "cli.get",
    group: GROUP,
    label: "coffer get NAME",
    unit: "ms",
    better: "lower",
    samples: ms.get,
    baseline: "cli.node",
    target: { on: "ratio", op: "<=", value: 2, text: "<= 2x node" },
  });
  figure({
    id: "cli.run",
    group: GROUP,
    label: `coffer run -- true (${secrets.length} secrets)`,
    unit: "ms",
    better: "lower",
    samples: ms.run,
    baseline: "cli.node",
    target: { on: "ratio", op: "<=", value: 2.5, text: "<= 2.5x node" },
  });
  if (haveDotenvx) {
    figure({
      id: "cli.dotenvx-get",
      group: GROUP,
      label: "dotenvx get NAME (same .env)",
      unit: "ms",
      better: "lower",
      samples: ms.dotenvxGet,
      baseline: "cli.node",
    });
    figure({
      id: "cli.dotenvx-run",
      group: GROUP,
      label: `dotenvx run -- true (${secrets.length} variables)`,
      unit: "ms",
      better: "lower",
      samples: ms.dotenvxRun,
      baseline: "cli.node",
    });
    // Coffer relative to dotenvx on the same work.
    figure({
      id: "cli.get-vs-dotenvx",
      group: GROUP,
      label: "coffer get NAME vs dotenvx get",
      unit: "ms",
      better: "lower",
      samples: ms.get,
      baseline: "cli.dotenvx-get",
    });
    figure({
      id: "cli.run-vs-dotenvx",
      group: GROUP,
      label: "coffer run vs dotenvx run",
      unit: "ms",
      better: "lower",
      samples: ms.run,
      baseline: "cli.dotenvx-run",
    });
  } else {
    note("dotenvx is not installed (root devDependency @dotenvx/dotenvx): no side-by-side figures.");
  }
  note(
    `Wall time from spawn to exit, ${runs} interleaved rounds after 2 warm-up rounds; store in a temp COFFER_HOME with ${secrets.length} secrets (key file, local provider), ` +
      `dotenvx on a plain (unencrypted) .env with the same ${secrets.length} lines.`,
  );
});
