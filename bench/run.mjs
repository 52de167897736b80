#!/usr/bin/env node
// `pnpm bench`: run every benchmark scenario, each in its own process, and write
// bench/results/latest.json and latest.md (or bench/results/tmp/quick.* with --quick).
//
//   node bench/run.mjs [--quick] [--only library,scale] [--out DIR]
//
// Benchmarks report; they never fail on absolute times. The exit code is non-zero only when a
// scenario crashed (a skipped scenario, for example a front end not built yet, is not a failure).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { finishFigures, machine, markdown, markdownBody } from "./lib/report.mjs";
import { ROOT } from "./lib/workspace.mjs";

/** Scenarios in run order, with the group their figures appear under. */
const SCENARIOS = [
  { name: "cli-startup", group: "CLI start-up" },
  { name: "library", group: "Library on the local store" },
  { name: "scale", group: "Scale" },
  { name: "mcp", group: "MCP over stdio" },
  { name: "rest", group: "REST server" },
  { name: "team-server", group: "Team server (PostgreSQL)" },
  { name: "remote-aws", group: "Remote: AWS Secrets Manager (moto)" },
  { name: "leak-scan", group: "Leak scan" },
];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string" },
  },
});
const only = values.only?.split(",").map((s) => s.trim());
const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const outDir = values.out ?? join(ROOT, "bench/results", values.quick ? "tmp" : "");
const baseName = values.quick ? "quick" : "latest";
const scratch = join(ROOT, "bench/results/tmp");
mkdirSync(scratch, { recursive: true });
mkdirSync(outDir, { recursive: true });

const SCENARIO_TIMEOUT_MS = values.quick ? 120_000 : 300_000;

/** The scenario process running now (its own process group, so a timeout can end all of it). */
let current;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    try {
      if (current) process.kill(-current.pid, "SIGKILL");
    } catch {}
    process.exit(130);
  });
}

function runScenario(name) {
  const out = join(scratch, `${name}.json`);
  rmSync(out, { force: true });
  return new Promise((resolve) => {
    const started = performance.now();
    const args = [join(ROOT, "bench/scenarios", `${name}.mjs`), "--out", out, ...(values.quick ? ["--quick"] : [])];
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", "inherit", "pipe"],
      detached: true,
    });
    current = child;
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-8000);
      process.stderr.write(chunk);
    });
    const timer = setTimeout(() => {
      stderr += `\nscenario timed out after ${SCENARIO_TIMEOUT_MS / 1000} s`;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, SCENARIO_TIMEOUT_MS);
    child.once("close", (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      let payload;
      try {
        payload = JSON.parse(readFileSync(out, "utf8"));
      } catch {
        payload = { figures: [], notes: [], error: stderr.trim() || `exited with ${code}` };
      }
      resolve({ seconds, payload });
    });
  });
}

const started = performance.now();
const scenarios = [];
let figures = [];
for (const s of SCENARIOS) {
  if (only && !only.includes(s.name)) continue;
  process.stderr.write(`bench: ${s.name}${values.quick ? " (quick)" : ""}...\n`);
  const { seconds, payload } = await runScenario(s.name);
  const status = payload.error ? "failed" : payload.skipped ? "skipped" : "ok";
  scenarios.push({
    name: s.name,
    group: s.group,
    status,
    seconds,
    notes: payload.notes,
    ...(payload.error ? { reason: payload.error } : payload.skipped ? { reason: payload.skipped } : {}),
  });
  figures = figures.concat(payload.figures ?? []);
  process.stderr.write(
    `bench: ${s.name} ${status} in ${seconds.toFixed(1)} s${status === "ok" ? "" : `: ${String(payload.error ?? payload.skipped).split("\n")[0]}`}\n`,
  );
}

const result = {
  generatedAt: new Date().toISOString(),
  mode: values.quick ? "quick" : "full",
  durationSeconds: (performance.now() - started) / 1000,
  machine: machine(),
  scenarios,
  figures: finishFigures(figures),
};
const md = markdown(result);
writeFileSync(join(outDir, `${baseName}.json`), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(outDir, `${baseName}.md`), `${md}\n`);
console.log(md);
console.log(`\nwrote ${join(outDir, `${baseName}.json`)} and ${baseName}.md`);

// A complete full run also refreshes the table in docs/performance.md.
const doc = join(ROOT, "docs/performance.md");
if (!values.quick && !only && !values.out && existsSync(doc)) {
  const text = readFileSync(doc, "utf8");
  const start = "<!-- bench:results:start -->";
  const end = "<!-- bench:results:end -->";
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a !== -1 && b > a) {
    writeFileSync(doc, `${text.slice(0, a + start.length)}\n${markdownBody(result, "###")}\n${text.slice(b)}`);
    console.log(`updated ${doc}`);
  }
}
process.exit(scenarios.some((s) => s.status === "failed") ? 1 : 0);
